/**
 * Runs 300 zero-latency turns (3 proposers x 2 layers) for a CPU profile:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-turns.ts
 */
import { library } from "./library.js";
import { question, startBench } from "./setup.js";

const { createMixtureOfAgents } = library;
const bench = await startBench({ model: { text: "an answer of a few words" } });
const proposers = Array.from({ length: 3 }, () => bench.client("model"));
const graph = createMixtureOfAgents({ proposers, aggregator: bench.client("model"), layers: 2 });
for (let i = 0; i < 30; i++) await graph.invoke({ messages: question() });
const t = performance.now();
for (let i = 0; i < 300; i++) await graph.invoke({ messages: question() });
console.log("ms/turn", (performance.now() - t) / 300);
await bench.close();
