import type { ThreadGrowthRun, ThreadGrowthSaverRun } from "./scenarios/thread-growth.js";
import { THREAD_IMPL_LABELS, type ThreadImplName } from "./scenarios/thread-growth-implementations.js";
import { SAVER_LABELS } from "./scenarios/thread-growth-savers.js";
import { slopePerTurn, windowMean } from "./scenarios/thread-growth-stats.js";
import { lineChart } from "../tools/svg-line-chart.js";

/** The highest ratio of this library to the bare LangGraph graph (CPU per turn, stored bytes) that passes. */
export const THREAD_GROWTH_TARGET = 1.0;

const IMPLS: readonly ThreadImplName[] = ["moa", "bareGraph", "bareGraphExit", "raw"];
const CHART_NAMES: Record<ThreadImplName, string> = { moa: "this library", bareGraph: "bare LangGraph graph", bareGraphExit: "bare graph, durability exit", raw: "raw openai client" };

/** The implementations a run measured (runs before the bare graph at `"exit"` durability have three). */
const measured = (saver: ThreadGrowthSaverRun) => IMPLS.filter((name) => saver.cpuMs[name] !== undefined);

const mark = (ok: boolean) => (ok ? "✓" : "✗");
const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const mib = (bytes: number | undefined) => (bytes === undefined ? "–" : (bytes / 2 ** 20).toFixed(2));
const span = ([from, to]: readonly [number, number]) => `${from}-${to}`;
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
const major = (run: ThreadGrowthRun) => run.node.slice(1).split(".")[0] as string;

/** The runs present, oldest Node first. */
function byNode(runs: Record<string, ThreadGrowthRun> | undefined): ThreadGrowthRun[] {
  return Object.values(runs ?? {}).sort((a, b) => Number(major(a)) - Number(major(b)));
}

/** The path of the chart of one Node version's checkpointer, relative to the report. */
export function threadGrowthChartPath(run: ThreadGrowthRun, saver: ThreadGrowthSaverRun): string {
  return `charts/thread-growth-node${major(run)}-${saver.saver}.svg`;
}

/** The charts of every run present: client CPU per turn against the turn number, one line per implementation. */
export function threadGrowthCharts(runs: Record<string, ThreadGrowthRun> | undefined): Array<{ path: string; svg: string }> {
  return byNode(runs).flatMap((run) =>
    run.savers.map((saver) => ({
      path: threadGrowthChartPath(run, saver),
      svg: lineChart({
        title: `Client CPU per turn on one thread, ${SAVER_LABELS[saver.saver]}, Node ${run.node} (mean of ${plural(run.repeats, "thread")})`,
        xLabel: "turn",
        yLabel: "CPU ms per turn",
        series: measured(saver).map((name) => ({ name: CHART_NAMES[name], points: saver.cpuMs[name].map((value, i): [number, number] => [i + 1, value]) })),
      }),
    })),
  );
}

/** This library's stored bytes over `baseline`'s (the bare graph's), after the `i`-th counted number of turns. */
function bytesRatio(saver: ThreadGrowthSaverRun, i: number, baseline: ThreadImplName = "bareGraph"): number {
  const moa = saver.storedBytes.moa?.[i];
  const bare = saver.storedBytes[baseline]?.[i];
  return moa === undefined || bare === undefined ? Number.NaN : moa / bare;
}

/** The summary row of one checkpointer on one Node version: the ratios against their targets, and the growth per turn. */
function summaryRow(run: ThreadGrowthRun, saver: ThreadGrowthSaverRun): string {
  const slopes = IMPLS.map((name) => (saver.cpuMs[name] === undefined ? "–" : fixed(slopePerTurn(saver.cpuMs[name]), 3)));
  const bytes = run.bytesAt.map((_, i) => {
    const ratio = bytesRatio(saver, i);
    return `**${fixed(ratio, 3)}** ${mark(ratio <= THREAD_GROWTH_TARGET)}`;
  });
  const exitRatio = saver.cpuRatioExit === undefined ? "–" : `**${saver.cpuRatioExit}** (${saver.cpuRatioExitInterval?.join("–")})`;
  const exitBytes = run.bytesAt.map((_, i) => fixed(bytesRatio(saver, i, "bareGraphExit"), 3)).join(" / ");
  return `| ${run.node} | ${SAVER_LABELS[saver.saver]} | **${saver.cpuRatio}** ${mark(saver.cpuRatio <= THREAD_GROWTH_TARGET)} | ${saver.cpuRatioInterval.join("–")} | ${slopes.join(" | ")} | ${bytes.join(" | ")} | ${exitRatio} | ${exitBytes} |`;
}

/** The detail table of one checkpointer on one Node version: per implementation, the windows' means, the growth and the stored bytes. */
function detailTable(run: ThreadGrowthRun, saver: ThreadGrowthSaverRun): string {
  const titles = [
    "implementation",
    ...run.windows.map((w) => `CPU ms, turns ${span(w)}`),
    "CPU growth (ms/turn)",
    ...run.windows.map((w) => `wall ms, turns ${span(w)}`),
    ...run.bytesAt.map((turns) => `stored MiB after ${turns} turns`),
  ];
  const rows = measured(saver).map((name) => {
    const cells = [
      THREAD_IMPL_LABELS[name],
      ...run.windows.map((w) => fixed(windowMean(saver.cpuMs[name], w))),
      fixed(slopePerTurn(saver.cpuMs[name]), 3),
      ...run.windows.map((w) => fixed(windowMean(saver.wallMs[name], w))),
      ...run.bytesAt.map((_, i) => (name === "raw" ? "(in memory)" : mib(saver.storedBytes[name]?.[i]))),
    ];
    return `| ${cells.join(" | ")} |`;
  });
  return [`| ${titles.join(" | ")} |`, `|${titles.map(() => "---").join("|")}|`, ...rows].join("\n");
}

/** "Node v20.… on <date> at <commit>": when and on what code each run took place. */
function provenance(runs: readonly ThreadGrowthRun[]): string {
  return runs.map((run) => `Node ${run.node} on ${run.date}${run.quick ? " (quick)" : ""}, at commit \`${run.commit.split(" ")[0]}\`${run.srcChanged ? " with uncommitted changes under src/" : ""}`).join("; ");
}

/** Section 13: the cost of a turn and the stored bytes as a thread grows, per Node version. */
export function threadGrowthSection(runs: Record<string, ThreadGrowthRun> | undefined): string {
  const title = "## 13. Long conversations on a thread";
  const all = byNode(runs);
  if (all.length === 0) return `${title}\n\nNot measured yet: run \`npm run bench -- --only thread-growth\`.\n`;
  const latest = all.at(-1) as ThreadGrowthRun;
  const ratioSpan = span(latest.ratioWindow);
  const summaryTitles = [
    "Node",
    "checkpointer",
    `this library / bare graph, CPU at turns ${ratioSpan} (target ≤ ${THREAD_GROWTH_TARGET.toFixed(2)})`,
    "95 % interval",
    ...IMPLS.map((name) => `CPU growth, ${CHART_NAMES[name]} (ms/turn)`),
    ...latest.bytesAt.map((turns) => `stored bytes, this library / bare graph, after ${turns} turns`),
    `this library / bare graph at \`durability: "exit"\`, CPU at turns ${ratioSpan} (95 % interval)`,
    `stored bytes, this library / bare graph at \`"exit"\`, after ${latest.bytesAt.join(" / ")} turns`,
  ];
  const summary = [`| ${summaryTitles.join(" | ")} |`, `|${summaryTitles.map(() => "---").join("|")}|`, ...all.flatMap((run) => run.savers.map((saver) => summaryRow(run, saver)))].join("\n");
  const details = all.flatMap((run) =>
    run.savers.map((saver) => `**${SAVER_LABELS[saver.saver]}, Node ${run.node}** (${Math.round(saver.durationMs / 1000)} s)\n\n${detailTable(run, saver)}\n`),
  );
  const charts = all.map((run) => `Node ${run.node}: ${run.savers.map((saver) => `[${SAVER_LABELS[saver.saver]}](${threadGrowthChartPath(run, saver)})`).join(", ")}`);
  const node20 = all.find((run) => major(run) === "20") ?? latest;
  const images = node20.savers.map((saver) => `![CPU per turn, ${SAVER_LABELS[saver.saver]}, Node ${node20.node}](${threadGrowthChartPath(node20, saver)})`);
  const quick = all.some((run) => run.quick) ? "\n\n**Quick run** (`--quick`): a few turns, to check that the benchmark works; the figures are not meant to be compared." : "";
  return `${title}

One conversation, turn after turn on one thread: ${latest.proposers} proposers x ${latest.layers} layer, every model answering at once with
${latest.answerBytes[0]} to ${latest.answerBytes[1]} bytes of text (the same text for every implementation at the same turn), from an OpenAI-protocol
server in a process of its own. Four implementations of the same turn, each on a thread of its own: this library
(\`createMixtureOfAgents\` with the checkpointer, \`thread_id\` in the config; its default durability is LangGraph's \`"exit"\`,
one checkpoint per turn), a bare LangGraph graph of the same shape with
the same checkpointer (bench/implementations/bare-langgraph-thread.ts: the conversation kept by \`MessagesAnnotation\`,
the per-turn channels reset by each turn's input with LangGraph's \`Overwrite\`), run twice: at LangGraph's default durability,
\`"async"\` (a checkpoint after each step), and at \`"exit"\`, as this library runs; and the raw \`openai\` client keeping the
conversation in an array in memory (\`Promise.all\` for the proposers, then the aggregator). Each implementation first runs
${latest.warmUpTurns} turns on a warm-up thread; then ${plural(latest.repeats, "thread")} of ${latest.turns} turns each, the implementations taking turns turn by turn (their
order rotating), so that the machine's load falls on all of them alike. **CPU** is the process's CPU time (every thread,
garbage collection included) around the turn, **wall** its elapsed time; each is the mean over the threads at that turn.
Growth is the slope of a least-squares line through CPU against turn number over turns 1-${latest.turns}. Stored bytes count the
serialized payloads the checkpointer holds for the first thread (MemorySaver: the thread's entries in its \`storage\` and
\`writes\` maps; SQLite: the lengths of the thread's checkpoint, metadata and write blobs; PostgreSQL: the \`octet_length\`
of the thread's rows in \`checkpoints\`, \`checkpoint_blobs\` and \`checkpoint_writes\`), counted outside the measured turns.
Each Node version is a separate run of \`npm run bench -- --only thread-growth\` (on Node 20 and 24:
\`BENCH_NODES="20 24" BENCH_ONLY=thread-growth npm run bench:nodes\`): ${provenance(all)}.${quick}

The ratios of this library to the bare graph: CPU over turns ${ratioSpan} (their totals over the same threads and turns, with
the 95 % interval of a bootstrap over them), and stored bytes (target for both: at most ${THREAD_GROWTH_TARGET.toFixed(2)}); the growth
of each implementation's CPU per extra turn; and the same ratios against the bare graph at the library's durability,
which tells the library's own cost on a thread apart from what one checkpoint per turn saves.

${summary}

Every checkpoint holds the conversation so far, so a thread's stored bytes grow with the square of its turns, and a
turn's CPU with its number (it writes and reads those checkpoints). MemorySaver and SqliteSaver keep every channel's
value in each checkpoint, PostgresSaver a new blob of a channel each time it changes (the conversation changes twice a
turn: the question, the answer). The bare graph, at LangGraph's default durability, stores a checkpoint after each
step of a turn and the \`Send\` of each proposer, which carries the whole conversation, in the turn's writes; how much
of that this library stores follows from its own default durability. The raw client's CPU per turn grows only with
the conversation it sends. With PostgreSQL a turn's wall time also holds the database server's work, which the
client's CPU leaves out.

Per checkpointer and Node version: the mean over each range of turns, and the stored bytes.

${details.join("\n")}
${images.join("\n")}

Every chart: ${charts.join("; ")}.
`;
}
