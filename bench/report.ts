import type { AgentLoopResult } from "./scenarios/agent-loop.js";
import { agreementSection, promptCacheSection } from "./cost-report.js";
import type { AgreementResult } from "./scenarios/agreement.js";
import type { PromptCacheResult } from "./scenarios/prompt-cache.js";
import { overheadSection, settingsSection } from "./overhead-report.js";
import type { OverheadRun } from "./scenarios/overhead.js";
import type { SettingsRun } from "./scenarios/settings.js";
import type { MemoryRow } from "./scenarios/memory.js";
import type { TailRow } from "./scenarios/tail-latency.js";
import type { ThroughputRow } from "./scenarios/throughput.js";
import type { TtftRow } from "./scenarios/time-to-first-token.js";
import type { ThreadSoakResult } from "./scenarios/thread-soak.js";
import type { LocalEngineResult } from "./scenarios/local-engine.js";
import { localEngineSection } from "./local-engine-report.js";
import type { TokenCountResult } from "./scenarios/token-count.js";
import { tokenCountSection } from "./scenarios/token-count-section.js";
import type { ThreadGrowthRun } from "./scenarios/thread-growth.js";
import { threadGrowthSection } from "./thread-growth-report.js";

/** Where and when a run took place. */
export type Machine = Record<string, string | number>;

/** Everything one run measured. */
export interface BenchResults {
  machine: Machine;
  /** A quick run (`--quick`): small sizes, to check that the benchmarks work. */
  quick?: boolean;
  /** Section 1, by Node major version ("20", "22", "24"): each version's run is kept until it runs again. */
  overhead?: Record<string, OverheadRun>;
  /** Section 2, by Node major version. */
  settings?: Record<string, SettingsRun>;
  /** Absent from results of `--only` runs into a new output. */
  throughput?: ThroughputRow[];
  /** The percentiles (the samples are only kept for the chart). */
  tailLatency?: Array<Omit<TailRow, "samples">>;
  timeToFirstToken?: TtftRow[];
  memory?: MemoryRow[];
  /** Absent from results written before the agent-loop benchmark existed. */
  agentLoop?: AgentLoopResult;
  /** Absent from results written before the thread soak existed. */
  threadSoak?: ThreadSoakResult;
  /** Absent from results written before the prompt-cache benchmark existed. */
  promptCache?: PromptCacheResult;
  /** Absent from results written before the early-exit and voting benchmark existed. */
  agreement?: AgreementResult;
  /** Absent from results written before the local-engine benchmark existed. */
  localEngine?: LocalEngineResult;
  /** Absent from results written before the token-count benchmark existed. */
  tokenCount?: TokenCountResult;
  /** Section 13, by Node major version; absent from results written before the long-conversation benchmark existed. */
  threadGrowth?: Record<string, ThreadGrowthRun>;
  /** Sections measured again since `machine`'s run, by `npm run bench -- --only ...`, and where. */
  remeasured?: Partial<Record<SectionKey, Machine>>;
}

/** The results' keys that are sections of the report. */
export type SectionKey = Exclude<keyof BenchResults, "machine" | "remeasured" | "quick">;

/** The sections measured per Node version (merged by version rather than replaced). */
export const PER_NODE_SECTIONS = ["overhead", "settings", "threadGrowth"] as const satisfies readonly SectionKey[];

/** Each section's name, in the report's order (section n is the n-th). */
export const SECTIONS: Record<SectionKey, string> = {
  overhead: "per-turn overhead",
  settings: "what a caller can change",
  throughput: "throughput and peak memory",
  tailLatency: "tail latency",
  timeToFirstToken: "time to the first token",
  memory: "memory over 10,000 turns",
  agentLoop: "agent loop",
  threadSoak: "thread soak",
  promptCache: "prompt caching",
  agreement: "early exit and voting",
  localEngine: "the embedded llama.cpp engine",
  tokenCount: "token counting",
  threadGrowth: "long conversations on a thread",
};

/** "section 7 (agent loop) on <date> (<cpu>, ...)": the sections re-measured with `--only`, if any. */
function remeasuredNote(r: BenchResults): string {
  const keys = Object.keys(SECTIONS) as SectionKey[];
  const entries = keys.flatMap((key) => {
    const m = r.remeasured?.[key];
    return m ? [`section ${keys.indexOf(key) + 1} (${SECTIONS[key]}) on ${m.date} (${m.cpu}, ${m.cores} cores, Node ${m.node})`] : [];
  });
  return entries.length === 0 ? "" : `\nRe-measured since by \`npm run bench -- --only ...\`: ${entries.join("; ")}.`;
}

/** The rows as a Markdown table, or a note that the section was not measured (results of an `--only` run). */
function table<T extends object>(rows: T[] | undefined, columns: Array<[keyof T, string]>): string {
  if (rows === undefined) return "Not measured yet: run `npm run bench` (or `--only` with this section) with the same `--out`.";
  const head = `| ${columns.map(([, title]) => title).join(" | ")} |`;
  const rule = `|${columns.map(() => "---").join("|")}|`;
  return [head, rule, ...rows.map((row) => `| ${columns.map(([key]) => String(row[key])).join(" | ")} |`)].join("\n");
}

/** The Markdown report of one run. */
export function renderReport(r: BenchResults): string {
  const m = r.machine;
  const quick = r.quick ? "\n\n**Quick run** (`npm run bench -- --quick`): every scenario at a small size, to check that the benchmarks work. Its figures are not meant to be read.\n" : "";
  return `# Benchmarks

Measured by \`npm run bench\` on ${m.cpu} (${m.cores} cores, ${m.memoryGb} GiB), Node ${m.node}, ${m.platform}, ${m.date}.
Every model is served over loopback HTTP by the OpenAI-protocol test server (test/support) and called
through the real \`@langchain/openai\` client (section 11 runs a model in-process instead); in sections 1, 2 and 13 the server runs in a process of its
own, elsewhere in the benchmark's process. Each figure is a ratio or a distribution from this one run:
these machines are shared, so compare within the run.
Raw numbers: [results.json](results.json).${remeasuredNote(r)}${quick}

${overheadSection(r.overhead)}
${settingsSection(r.settings)}
## 3. Throughput and peak memory

Zero-latency models, 3 proposers x 1 layer + aggregator; the given number of turns in flight at once,
with \`concurrency: { perModel: { model: 64 } }\` capping the requests in flight (as a deployment would).

${table(r.throughput, [["concurrency", "concurrent turns"], ["turns", "turns"], ["turnsPerSecond", "turns/s"], ["peakRssMb", "peak RSS (MB)"]])}

## 4. Tail latency: waiting for all vs a quorum

Five proposers with log-normal latencies (median 100 ms, sigma 0.8), one layer, a 50 ms aggregator,
300 turns, 20 at a time; the same seeded latencies for each setting.

${table(r.tailLatency, [["setting", "setting"], ["p50Ms", "p50 (ms)"], ["p95Ms", "p95 (ms)"], ["p99Ms", "p99 (ms)"]])}

![tail latency](charts/tail-latency.svg)

## 5. Time to the first token of the final answer

\`MixtureOfAgents.stream()\`, 3 proposers at 100 ms, an aggregator whose first token comes after 100 ms.

${table(r.timeToFirstToken, [["layers", "layers"], ["criticalPathMs", "critical path (ms)"], ["medianTtftMs", "median first token (ms)"], ["ratio", "ratio"]])}

## 6. Memory over ${memoryTurns(r)} sequential turns

Heap plus external memory (where the checkpointer's serialized bytes live) after a full GC, before and
after ${memoryTurns(r)} turns (each on its own thread when checkpointed). "Unexplained" is the growth minus the
bytes the checkpointer holds (its serialized checkpoints and writes, counted by walking its storage).

${table(r.memory, [["checkpointer", "checkpointer"], ["turns", "turns"], ["heapBeforeMb", "heap before (MB)"], ["heapAfterMb", "heap after (MB)"], ["growthMb", "growth (MB)"], ["checkpointDataMb", "checkpoint data (MB)"], ["unexplainedMb", "unexplained (MB)"], ["afterDroppingMb", "after dropping graph and checkpointer (MB)"]])}

Without a checkpointer the memory does not grow with the number of turns (the "none" row). With
\`MemorySaver\` it grows with what the saver stores: its serialized bytes, plus about 10 KB per turn
that the byte count does not cover (presumably the saver's string ids, maps and buffer headers for the
checkpoint and writes of every step; not yet confirmed with a heap snapshot). Once the benchmark drops
its references to the graph and the saver, that memory is given back (last column), although the HTTP
clients and their pooled keep-alive sockets live on: a socket keeps the async context it was opened in
(Node's \`AsyncLocalStorage\` stores), and the model calls run outside the turn's LangChain context
(\`src/models/outside-turn-context.ts\`), so no socket keeps a turn, its config or the checkpointer. The
scenario checks this with a \`WeakRef\` to the dropped saver and fails if it is still reachable
(\`test/runtime/turn-context-release.test.ts\` checks the same on every Node version).

${agentLoopSection(r.agentLoop)}
${threadSoakSection(r.threadSoak)}
${promptCacheSection(r.promptCache, "9. Prompt caching: where the references go")}
${agreementSection(r.agreement, "10. Early exit and voting: calls and tokens")}
${localEngineSection(r.localEngine, r.remeasured?.localEngine ?? r.machine)}
${tokenCountSection(r.tokenCount)}
${threadGrowthSection(r.threadGrowth)}`;
}

/** Section 8: the thread soak's counts. */
function threadSoakSection(s: ThreadSoakResult | undefined): string {
  const title = "## 8. Thread soak: nothing lost";
  if (!s) return `${title}\n\nNot measured yet: run \`npm run bench -- --only thread-soak\`.\n`;
  const percent = (value: number) => `${Math.round(value * 100)} %`;
  return `${title}

${s.threads} threads x ${s.turnsPerThread} turns in PostgreSQL, served by ${s.workers} Node processes at once (${s.concurrency} turns at a time each,
jobs spread over every thread so that the processes meet on threads). ${percent(s.failRate)} of the turns are made to fail (a
proposer answers HTTP 400), ${percent(s.abortRate)} are aborted 5 to 35 ms in, and ${percent(s.overlapRate)} are sent twice at once; a turn refused
with \`MoAThreadBusyError\` is queued again. Halfway through its jobs, one process is killed with SIGKILL and
another takes over the rest. Afterwards every thread is read back and compared with what the processes
reported (the same run is the integration test \`test/integration/thread-soak.test.ts\`, at 20 x 5).

| turns run | answered | failed | aborted | refused busy | in flight at the kill | of those, answered on the thread | lost | extra on a thread | duplicated | out of order | left pending |
|---|---|---|---|---|---|---|---|---|---|---|---|
| ${s.attempted} | ${s.answered} | ${s.failed} | ${s.aborted} | ${s.busy} | ${s.killedInFlight} | ${s.unacknowledged} | **${s.lost}** | **${s.ghosts}** | **${s.duplicated}** | **${s.outOfOrder}** | **${s.pending}** |

"Lost" counts answered turns missing from their thread; "extra" counts questions on a thread that no
process reported answered (a failed, aborted or killed turn that was kept). A turn in flight when its
process died may have written its answer just before: it is on its thread whole, question and answer,
though no one heard it (the "answered on the thread" column), as with any store whose acknowledgement
can be lost. The run took ${Math.round(s.durationMs / 1000)} s: a turn on these threads costs far more than the turns of sections 1-3,
because reading a checkpoint back grows with the thread (LangChain's \`load\` revives every stored message).
`;
}

/** Section 7: the agent loop with the proposers on every model call and on user turns only. */
function agentLoopSection(a: AgentLoopResult | undefined): string {
  const title = "## 7. Agent loop: proposers on every call vs on user turns";
  if (!a) return `${title}\n\nNot measured yet: run \`npm run bench -- --only agent-loop\`.\n`;
  const byMode = (mode: string) => a.rows.find((row) => row.mode === mode);
  const every = byMode("every_call");
  const user = byMode("user_turn");
  const rows = a.rows.map((row) => `| \`${row.mode}\` | ${row.calls} (${row.proposerCalls} + ${row.aggregatorCalls}) | ${row.inputTokens} | ${row.outputTokens} | ${row.medianWallMs} | ${row.criticalPathMs} |`);
  const { ratio } = a;
  const percent = (value: number) => `${Math.round((1 - value) * 100)}%`;
  return `${title}

An agent (LangChain's \`createAgent\`) whose model is a \`MixtureOfAgents\` of ${a.proposers} proposers x 1 layer with
one lookup tool; the aggregator (scripted on the server) calls the tool until the conversation holds
${a.toolSteps} tool results, then answers: ${a.toolSteps + 1} model calls of the agent per run. Every model answers after ${a.modelLatencyMs} ms;
the proposers answer a fixed text of about 450 characters. Per agent run, the median of ${a.runs} runs, the two
modes taking turns: the requests the server received (proposers + aggregator), the tokens it reported,
and the wall time; the critical path is the model latencies on the run's longest chain of calls. The
tokens are an estimate the server computes from each request, about 4 characters per token (input: the
request's messages, their tool calls and the tool definitions; output: the answer's text and tool
calls)${a.tracesMatchServer ? "; the MoA traces of the agent's answers add up to the same calls and tokens" : ""}.

| \`proposeOn\` | model calls (proposers + aggregator) | input tokens | output tokens | wall (ms) | critical path (ms) |
|---|---|---|---|---|---|
${rows.join("\n")}
| **ratio user_turn / every_call** | **${ratio.calls}** | **${ratio.inputTokens}** | **${ratio.outputTokens}** | **${ratio.wallMs}** | ${every && user ? round3(user.criticalPathMs / every.criticalPathMs) : ""} |

With \`"every_call"\` the proposers run on each of the ${a.toolSteps + 1} calls of the loop, each time reading the whole
(growing) conversation. With \`"user_turn"\` (the default) they run on the first call only, and the
aggregator continues the next ${a.toolSteps} steps alone from the references kept in the previous answer's trace:
${percent(ratio.calls)} fewer model calls, ${percent(ratio.inputTokens)} fewer input tokens, ${percent(ratio.outputTokens)} fewer output tokens and ${percent(ratio.wallMs)} less wall time in this
run, at the price of proposers that do not see the tool results.${
    every && user
      ? ` The wall times stand ${Math.round(every.medianWallMs - every.criticalPathMs)} ms
(\`every_call\`) and ${Math.round(user.medianWallMs - user.criticalPathMs)} ms (\`user_turn\`) above their critical paths: the work of the clients, the
server, the MoA graph and the agent, which grows with the number of calls.`
      : ""
  }
`;
}

const round3 = (value: number): number => Number(value.toFixed(3));

/** The number of turns of the memory section, as the report writes it. */
const memoryTurns = (r: BenchResults): string => (r.memory?.[0]?.turns ?? 10_000).toLocaleString("en");
