/**
 * The benchmarks: over loopback HTTP against the OpenAI-protocol test server with scripted latencies.
 * Writes bench/results.json, bench/REPORT.md and the charts in bench/charts/. Run with `npm run bench`.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { cpuCost } from "./scenarios/cpu-cost.js";
import { latencyOverhead } from "./scenarios/latency-overhead.js";
import { memory } from "./scenarios/memory.js";
import { tailLatency } from "./scenarios/tail-latency.js";
import { throughput } from "./scenarios/throughput.js";
import { timeToFirstToken } from "./scenarios/time-to-first-token.js";
import { renderReport } from "./report.js";
import { barChart } from "../tools/svg-bar-chart.js";

if (typeof globalThis.gc !== "function") {
  console.error("Run with --expose-gc (npm run bench does) so that the memory figures are measured after a full GC.");
  process.exit(2);
}

const machine = {
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  platform: `${process.platform} ${process.arch}`,
  date: new Date().toISOString(),
};
console.error(`Benchmarks on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}`);

const results = {
  machine,
  latencyOverhead: await latencyOverhead(),
  cpuCost: await cpuCost(),
  throughput: await throughput(),
  tailLatency: await tailLatency(),
  timeToFirstToken: await timeToFirstToken(),
  memory: await memory(),
};

const dir = new URL("./", import.meta.url);
await mkdir(new URL("charts/", dir), { recursive: true });
await writeFile(new URL("results.json", dir), `${JSON.stringify({ ...results, tailLatency: results.tailLatency.map(({ samples: _, ...row }) => row) }, null, 2)}\n`);
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
await writeFile(
  new URL("charts/tail-latency.svg", dir),
  barChart({
    title: "Turn latency with log-normal proposers (5 proposers, 1 layer)",
    yLabel: "ms",
    series: ["p50", "p95", "p99"],
    groups: results.tailLatency.map((r) => ({ label: r.setting, values: [r.p50Ms, r.p95Ms, r.p99Ms] })),
  }),
);
await writeFile(new URL("REPORT.md", dir), renderReport(results));
console.table(results.latencyOverhead);
console.error("Wrote bench/REPORT.md, bench/results.json and bench/charts/*.svg");
