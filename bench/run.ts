/**
 * The benchmarks: over loopback HTTP against the OpenAI-protocol test server with scripted latencies.
 * Writes bench/results.json, bench/REPORT.md and the charts in bench/charts/. Run with `npm run bench`;
 * `npm run bench -- --only agent-loop[,memory...]` runs only those scenarios and merges their results into
 * the existing bench/results.json (the other sections keep their numbers).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { agentLoop } from "./scenarios/agent-loop.js";
import { cpuCost } from "./scenarios/cpu-cost.js";
import { latencyOverhead } from "./scenarios/latency-overhead.js";
import { memory } from "./scenarios/memory.js";
import { tailLatency } from "./scenarios/tail-latency.js";
import { throughput } from "./scenarios/throughput.js";
import { timeToFirstToken } from "./scenarios/time-to-first-token.js";
import { threadSoak } from "./scenarios/thread-soak.js";
import { renderReport, SECTIONS, type BenchResults, type Machine, type SectionKey } from "./report.js";
import { barChart } from "../tools/svg-bar-chart.js";
import { parseFlags } from "../tools/command-line.js";
import { UsageError } from "../tools/usage-error.js";

/** Each scenario by its command-line name, in the report's order, and the results key it fills. */
const SCENARIOS: { [K in SectionKey]: { name: string; run: () => Promise<BenchResults[K]> } } = {
  latencyOverhead: { name: "latency-overhead", run: latencyOverhead },
  cpuCost: { name: "cpu-cost", run: cpuCost },
  throughput: { name: "throughput", run: throughput },
  // The samples are only kept for the chart's run; results.json holds the percentiles.
  tailLatency: { name: "tail-latency", run: async () => (await tailLatency()).map(({ samples: _, ...row }) => row) },
  timeToFirstToken: { name: "time-to-first-token", run: timeToFirstToken },
  memory: { name: "memory", run: memory },
  agentLoop: { name: "agent-loop", run: agentLoop },
  threadSoak: { name: "thread-soak", run: threadSoak },
};
const KEYS = Object.keys(SECTIONS) as SectionKey[];
const USAGE = `Usage: npm run bench [-- --only <scenario>[,<scenario>...]]
  --only  run only these scenarios and merge them into the existing bench/results.json
          (${KEYS.map((key) => SCENARIOS[key].name).join(", ")})`;

const dir = new URL("./", import.meta.url);
const resultsUrl = new URL("results.json", dir);

/** The scenarios asked for (all without --only). */
function selected(argv: readonly string[]): SectionKey[] | undefined {
  const flags = parseFlags(argv, { only: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } }, USAGE);
  if (flags.help) throw new UsageError(USAGE, 0);
  if (flags.only === undefined) return undefined;
  const names = flags.only.flatMap((value) => value.split(",")).map((name) => name.trim()).filter((name) => name !== "");
  const keys = names.map((name) => {
    const key = KEYS.find((k) => SCENARIOS[k].name === name);
    if (!key) throw new UsageError(`Unknown scenario "${name}".\n\n${USAGE}`);
    return key;
  });
  if (keys.length === 0) throw new UsageError(`--only needs at least one scenario.\n\n${USAGE}`);
  return KEYS.filter((key) => keys.includes(key));
}

/** The results of the last run, which a partial run completes. */
async function previousResults(): Promise<BenchResults> {
  if (!existsSync(resultsUrl)) throw new UsageError("--only merges into bench/results.json, which does not exist yet: run `npm run bench` once first.");
  return JSON.parse(await readFile(resultsUrl, "utf8")) as BenchResults;
}

let only: SectionKey[] | undefined;
try {
  only = selected(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(error.exitCode);
}
const keys = only ?? KEYS;

if (keys.includes("memory") && typeof globalThis.gc !== "function") {
  console.error("Run with --expose-gc (npm run bench does) so that the memory figures are measured after a full GC.");
  process.exit(2);
}

const machine: Machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  platform: `${process.platform} ${process.arch}`,
  date: new Date().toISOString(),
};
console.error(`Benchmarks on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}: ${keys.map((key) => SCENARIOS[key].name).join(", ")}`);

const measured: Partial<BenchResults> = {};
for (const key of keys) {
  // One scenario's result under its own key (TypeScript cannot relate the key of the two objects).
  (measured as Record<SectionKey, unknown>)[key] = await SCENARIOS[key].run();
}

// A full run replaces everything; a partial one keeps the rest and notes when its sections were measured.
const results: BenchResults = only
  ? await previousResults().then((previous) => ({
      ...previous,
      ...measured,
      remeasured: { ...previous.remeasured, ...Object.fromEntries(keys.map((key) => [key, machine])) },
    }))
  : ({ machine, ...measured } as BenchResults);

await mkdir(new URL("charts/", dir), { recursive: true });
await writeFile(resultsUrl, `${JSON.stringify(results, null, 2)}\n`);
if (keys.includes("latencyOverhead")) {
  await writeFile(
    new URL("charts/latency-overhead.svg", dir),
    barChart({
      title: "Turn wall time / critical path (100 ms models, one shape at 1 s)",
      yLabel: "ratio",
      series: ["graph", "plain Promise.all"],
      groups: results.latencyOverhead.map((r) => ({ label: `${r.proposers}p×${r.layers}L${r.modelLatencyMs === 100 ? "" : ` @${r.modelLatencyMs / 1000}s`}`, values: [r.ratio, r.plainRatio] })),
      referenceLine: { value: 1.05, label: "target 1.05" },
    }),
  );
}
if (keys.includes("tailLatency")) {
  await writeFile(
    new URL("charts/tail-latency.svg", dir),
    barChart({
      title: "Turn latency with log-normal proposers (5 proposers, 1 layer)",
      yLabel: "ms",
      series: ["p50", "p95", "p99"],
      groups: results.tailLatency.map((r) => ({ label: r.setting, values: [r.p50Ms, r.p95Ms, r.p99Ms] })),
    }),
  );
}
await writeFile(new URL("REPORT.md", dir), renderReport(results));
if (measured.latencyOverhead) console.table(measured.latencyOverhead);
if (measured.agentLoop) console.table(measured.agentLoop.rows);
console.error(`Wrote bench/REPORT.md and bench/results.json${only ? ` (merged: ${keys.map((key) => SCENARIOS[key].name).join(", ")})` : " and bench/charts/*.svg"}`);
