/**
 * The benchmarks: over loopback HTTP against the OpenAI-protocol test server with scripted latencies.
 * Writes the report (bench/REPORT.md, or the path given with --out), results.json and charts/ next to it.
 *
 *   npm run bench                                  every scenario, on the Node running it
 *   npm run bench -- --only overhead,settings      only these, merged into the existing results
 *   npm run bench -- --quick --out /tmp/b/REPORT.md every scenario small (under a minute), to check they run
 *   npm run bench:nodes                            sections 1 and 2 on Node 20, 22 and 24, side by side
 *
 * Sections 1, 2 and 13 are kept per Node version: a run replaces only its own version's figures.
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { cpus, totalmem, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { agentLoop } from "./scenarios/agent-loop.js";
import { memory } from "./scenarios/memory.js";
import { overhead } from "./scenarios/overhead.js";
import { settings } from "./scenarios/settings.js";
import { tailLatency } from "./scenarios/tail-latency.js";
import { throughput } from "./scenarios/throughput.js";
import { timeToFirstToken } from "./scenarios/time-to-first-token.js";
import { threadSoak } from "./scenarios/thread-soak.js";
import { promptCache } from "./scenarios/prompt-cache.js";
import { agreement } from "./scenarios/agreement.js";
import { localEngine } from "./scenarios/local-engine.js";
import { tokenCount } from "./scenarios/token-count.js";
import { threadGrowth } from "./scenarios/thread-growth.js";
import { threadGrowthCharts } from "./thread-growth-report.js";
import { promptCacheRunLabel } from "./cost-report.js";
import { IMPLEMENTATIONS } from "./implementations/index.js";
import { CPU_TARGET } from "./overhead-report.js";
import { renderReport, PER_NODE_SECTIONS, SECTIONS, type BenchResults, type Machine, type SectionKey } from "./report.js";
import type { Size } from "./setup.js";
import { barChart } from "../tools/svg-bar-chart.js";
import { parseFlags } from "../tools/command-line.js";
import { UsageError } from "../tools/usage-error.js";

type Measured<K extends SectionKey> = K extends (typeof PER_NODE_SECTIONS)[number] ? NonNullable<BenchResults[K]>[string] : BenchResults[K];

/** Each scenario by its command-line name, in the report's order, and the results key it fills. */
const SCENARIOS: { [K in SectionKey]: { name: string; run: (size: Size) => Promise<Measured<K>> } } = {
  overhead: { name: "overhead", run: overhead },
  settings: { name: "settings", run: settings },
  throughput: { name: "throughput", run: throughput },
  // The samples are only kept for the chart's run; results.json holds the percentiles.
  tailLatency: { name: "tail-latency", run: async (size) => (await tailLatency(size)).map(({ samples: _, ...row }) => row) },
  timeToFirstToken: { name: "time-to-first-token", run: timeToFirstToken },
  memory: { name: "memory", run: memory },
  agentLoop: { name: "agent-loop", run: agentLoop },
  threadSoak: { name: "thread-soak", run: threadSoak },
  promptCache: { name: "prompt-cache", run: promptCache },
  agreement: { name: "agreement", run: agreement },
  localEngine: { name: "local-engine", run: localEngine },
  tokenCount: { name: "token-count", run: tokenCount },
  threadGrowth: { name: "thread-growth", run: threadGrowth },
};
const KEYS = Object.keys(SECTIONS) as SectionKey[];
const USAGE = `Usage: npm run bench [-- [--only <scenario>[,<scenario>...]] [--quick] [--out <report.md>]]
  --only   run only these scenarios and merge them into the results at the output (if any)
           (${KEYS.map((key) => SCENARIOS[key].name).join(", ")})
  --quick  every scenario at a small size (under a minute in all), to check that the benchmarks work
  --out    where to write the report (default bench/REPORT.md; with --quick, a temporary directory);
           results.json and charts/ are written next to it`;

interface Plan {
  keys: SectionKey[];
  partial: boolean;
  size: Size;
  reportPath: string;
}

/** What the command line asks for. */
function plan(argv: readonly string[]): Plan {
  const flags = parseFlags(
    argv,
    { only: { type: "string", multiple: true }, quick: { type: "boolean" }, out: { type: "string" }, help: { type: "boolean", short: "h" } },
    USAGE,
  );
  if (flags.help) throw new UsageError(USAGE, 0);
  const size: Size = flags.quick ? "quick" : "full";
  const reportPath = resolve(flags.out ?? (size === "quick" ? join(tmpdir(), "langgraph-moa-bench-quick", "REPORT.md") : fileURLToPath(new URL("REPORT.md", import.meta.url))));
  if (!reportPath.endsWith(".md")) throw new UsageError(`--out must name a Markdown file (e.g. bench/REPORT.md), not "${flags.out}".\n\n${USAGE}`);
  if (flags.only === undefined) return { keys: KEYS, partial: false, size, reportPath };
  const names = flags.only.flatMap((value) => value.split(",")).map((name) => name.trim()).filter((name) => name !== "");
  const keys = names.map((name) => {
    const key = KEYS.find((k) => SCENARIOS[k].name === name);
    if (!key) throw new UsageError(`Unknown scenario "${name}".\n\n${USAGE}`);
    return key;
  });
  if (keys.length === 0) throw new UsageError(`--only needs at least one scenario.\n\n${USAGE}`);
  return { keys: KEYS.filter((key) => keys.includes(key)), partial: true, size, reportPath };
}

let asked: Plan;
try {
  asked = plan(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(error.message);
  process.exit(error.exitCode);
}
const { keys, partial, size, reportPath } = asked;
const outDir = dirname(reportPath);
const resultsPath = join(outDir, "results.json");

/** The results already at the output path (if any), which a partial run completes and whose other Node versions every run keeps. */
async function previousResults(): Promise<BenchResults | undefined> {
  if (!existsSync(resultsPath)) return undefined;
  return JSON.parse(await readFile(resultsPath, "utf8")) as BenchResults;
}

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

const nodeMajor = process.versions.node.split(".")[0] as string;
const measured: Partial<Record<SectionKey, unknown>> = {};
for (const key of keys) {
  const started = performance.now();
  measured[key] = await SCENARIOS[key].run(size);
  console.error(`  ${SCENARIOS[key].name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

const previous = await previousResults();
// Sections 1, 2 and 13 keep every Node version's run; the others are replaced by a full run, merged by a partial one.
const perNode = Object.fromEntries(
  PER_NODE_SECTIONS.map((key) => [key, { ...previous?.[key], ...(measured[key] === undefined ? {} : { [nodeMajor]: measured[key] }) }]),
);
const { overhead: _o, settings: _s, threadGrowth: _t, ...sections } = measured;
// A partial run into a new output starts its results with this run's machine; the other sections are "not measured".
const results: BenchResults = partial
  ? ({
      machine,
      ...(size === "quick" ? { quick: true } : {}),
      ...previous,
      ...sections,
      ...perNode,
      remeasured: { ...previous?.remeasured, ...Object.fromEntries(keys.map((key) => [key, machine])) },
    } as BenchResults)
  : ({ machine, ...(size === "quick" ? { quick: true } : {}), ...sections, ...perNode } as BenchResults);

await mkdir(join(outDir, "charts"), { recursive: true });
await writeFile(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
if (keys.includes("overhead") && results.overhead) {
  const runs = Object.values(results.overhead);
  await writeFile(
    join(outDir, "charts/cpu-per-turn.svg"),
    barChart({
      title: `Client CPU per turn, models answering at once (this library's target: ${CPU_TARGET} x the bare graph)`,
      yLabel: "ms",
      series: IMPLEMENTATIONS.map((impl) => impl.name),
      groups: runs.flatMap((run) => run.rows.map((row) => ({ label: `${row.proposers}x${row.layers} ${run.node.split(".")[0]}`, values: IMPLEMENTATIONS.map((impl) => row.cpuMsPerTurn[impl.name] ?? 0) }))),
    }),
  );
}
if (keys.includes("tailLatency")) {
  await writeFile(
    join(outDir, "charts/tail-latency.svg"),
    barChart({
      title: "Turn latency with log-normal proposers (5 proposers, 1 layer)",
      yLabel: "ms",
      series: ["p50", "p95", "p99"],
      groups: (results.tailLatency ?? []).map((r) => ({ label: r.setting, values: [r.p50Ms, r.p95Ms, r.p99Ms] })),
    }),
  );
}
if (keys.includes("promptCache") && results.promptCache) {
  const { runs } = results.promptCache;
  await writeFile(
    join(outDir, "charts/prompt-cache.svg"),
    barChart({
      title: "Share of a turn's input tokens served from the prompt cache",
      yLabel: "%",
      series: runs.map(promptCacheRunLabel),
      groups: (runs[0]?.turns ?? []).map((row, i) => ({ label: `turn ${row.turn}`, values: runs.map((run) => Math.round((run.turns[i]?.share ?? 0) * 100)) })),
    }),
  );
}
if (keys.includes("agreement") && results.agreement) {
  await writeFile(
    join(outDir, "charts/agreement.svg"),
    barChart({
      title: "Early exit and voting against the full mixture (1 = the full mixture)",
      yLabel: "ratio",
      series: ["calls", "tokens"],
      groups: results.agreement.rows.map((row) => ({ label: row.mode.replace(/`/g, ""), values: [row.callsRatio, row.tokensRatio] })),
    }),
  );
}
if (keys.includes("localEngine") && results.localEngine) {
  await writeFile(
    join(outDir, "charts/local-engine.svg"),
    barChart({
      title: "A layer of 3 local calls, against running them one after another (1 = sequential)",
      yLabel: "ratio",
      series: ["wall time", "tokens/s", "peak RSS"],
      groups: results.localEngine.rows.map((row) => {
        const base = results.localEngine?.rows.find((r) => r.variant === "sequential") ?? row;
        const over = ([low, high]: [number, number], by: number): [number, number] => [low / by, high / by];
        return {
          label: row.variant,
          values: [row.wallRatio, row.tokensPerSecondRatio, row.peakRssRatio],
          // Whiskers: each round's min and max against the sequential median.
          intervals: [over(row.wallMsRange, base.wallMs), over(row.tokensPerSecondRange, base.tokensPerSecond), over(row.peakRssMbRange, base.peakRssMb)],
        };
      }),
      referenceLine: { value: 1, label: "sequential" },
    }),
  );
}
if (keys.includes("threadGrowth")) {
  for (const chart of threadGrowthCharts(results.threadGrowth)) await writeFile(join(outDir, chart.path), chart.svg);
}
await writeFile(reportPath, renderReport(results));
console.error(`Wrote ${reportPath}, ${resultsPath} and charts/${partial ? ` (merged: ${keys.map((key) => SCENARIOS[key].name).join(", ")})` : ""}`);
