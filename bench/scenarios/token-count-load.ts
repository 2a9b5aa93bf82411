/**
 * Loads one token counter in a fresh process and prints, as one line of JSON, how long it took and the
 * longest the event loop was held meanwhile (ms): `baseline` (`js-tiktoken`'s encoder, built at once)
 * or `current` (this library's). Run by the token-count scenario.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { tokenCounter } from "../../src/models/token-count.js";
import { baselineCounter } from "./token-count-baseline.js";

const which = process.argv[2];
if (which !== "baseline" && which !== "current") throw new Error(`Usage: token-count-load.ts baseline|current, not ${which}`);
const delay = monitorEventLoopDelay({ resolution: 1 });
delay.enable();
// The monitor measures from its first tick on: a block before it would go unseen.
await new Promise((resolve) => setTimeout(resolve, 5));
const started = performance.now();
await (which === "baseline" ? baselineCounter() : tokenCounter());
const loadMs = performance.now() - started;
// One more turn of the loop, so that a block at the very end is recorded.
await new Promise((resolve) => setTimeout(resolve, 5));
delay.disable();
process.stdout.write(`${JSON.stringify({ loadMs, maxBlockMs: delay.max / 1e6 })}\n`);
