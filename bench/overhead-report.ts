import { IMPLEMENTATIONS } from "./implementations/index.js";
import { bestPeer, machineScale, PEER_FIGURES } from "./peers.js";
import type { OverheadRun } from "./scenarios/overhead.js";
import type { SettingsRun } from "./scenarios/settings.js";

/** The highest ratio of this library's CPU per turn to the bare LangGraph graph's that passes. */
export const CPU_TARGET = 1.05;

/** Node versions present, oldest first. */
function byNode<T extends { node: string }>(runs: Record<string, T> | undefined): T[] {
  return Object.values(runs ?? {}).sort((a, b) => Number(a.node.slice(1).split(".")[0]) - Number(b.node.slice(1).split(".")[0]));
}

const mark = (ok: boolean) => (ok ? "✓" : "✗");

/** "Node v20.20.2 on 2026-…, …": when each Node version's run took place. */
function provenance(runs: ReadonlyArray<{ node: string; date?: string; quick: boolean }>): string {
  return runs.map((run) => `Node ${run.node} ${run.date ? `on ${run.date}` : "(date not recorded)"}${run.quick ? " (quick)" : ""}`).join("; ");
}
const shapeOf = (row: { proposers: number; layers: number }) => `${row.proposers} x ${row.layers}`;

/** Section 1: the cost of a turn split by layer of the stack, per Node version, against the targets and the peers. */
export function overheadSection(runs: Record<string, OverheadRun> | undefined): string {
  const title = "## 1. Per-turn overhead: HTTP client, LangChain, LangGraph, this library";
  const all = byNode(runs);
  if (all.length === 0) return `${title}\n\nNot measured yet: run \`npm run bench -- --only overhead\`.\n`;
  const names = IMPLEMENTATIONS.map((impl) => impl.name);
  const head = (first: string[], last: string[] = []) => {
    const titles = [...first, ...IMPLEMENTATIONS.map((impl) => impl.label), ...last];
    return `| ${titles.join(" | ")} |\n|${titles.map(() => "---").join("|")}|`;
  };
  const cpuRows = all.flatMap((run) =>
    run.rows.map((row) => `| ${run.node} | ${shapeOf(row)} | ${names.map((name) => row.cpuMsPerTurn[name]).join(" | ")} | **${row.cpuRatioToBareGraph}** ${mark(row.cpuRatioToBareGraph <= CPU_TARGET)} | ${row.cpuRatioInterval ? row.cpuRatioInterval.join("–") : ""} |`),
  );
  const wallRows = all.flatMap((run) => run.rows.map((row) => `| ${run.node} | ${shapeOf(row)} | ${row.criticalPathMs} | ${names.map((name) => row.wallRatio[name]).join(" | ")} |`));
  const warningRows = all.flatMap((run) => run.rows.map((row) => `| ${run.node} | ${shapeOf(row)} | ${names.map((name) => row.maxListenersWarnings?.[name] ?? "").join(" | ")} |`));
  const latest = all.at(-1) as OverheadRun;
  const node20 = all.find((run) => run.node.startsWith("v20."));
  const scale = node20 && machineScale(node20.rows.map((row) => ({ ...row, cpuMsPerTurn: row.cpuMsPerTurn.raw ?? Number.NaN, wallRatio: row.wallRatio.raw ?? Number.NaN })));
  const peerRows = latest.rows.map((row) => {
    const asMeasured = bestPeer(row.proposers, row.layers);
    const scaled = bestPeer(row.proposers, row.layers, scale);
    if (!asMeasured || !scaled) return "";
    const cpu = row.cpuMsPerTurn.moa ?? Number.NaN;
    const wall = row.wallRatio.moa ?? Number.NaN;
    return `| ${shapeOf(row)} | ${cpu} | ${asMeasured.cpuMsPerTurn} | ${scale ? `${scaled.cpuMsPerTurn} ` : ""}${mark(cpu < scaled.cpuMsPerTurn)} | ${wall} | ${asMeasured.wallRatio} | ${scale ? `${scaled.wallRatio} ` : ""}${mark(wall < scaled.wallRatio)} |`;
  });
  const scaleNote = scale
    ? `This machine's Node 20 raw floor is ${scale.cpu.toFixed(2)} x the peers' run's in CPU and ${scale.wallOverhead.toFixed(2)} x in overhead over the critical path (medians over the shapes).`
    : "No Node 20 run here to scale by: the peers' figures are compared as measured.";
  const quick = all.some((run) => run.quick) ? "\n\n**Quick run** (`--quick`): a few turns per figure, to check that the benchmark works; the figures are not meant to be compared.\n" : "";
  return `${title}

The same turn (one question; ${IMPLEMENTATIONS.length} implementations, from the floor up), against one OpenAI-protocol model server running in
a process of its own on loopback, so that its CPU is not charged to the client. Each Node version is a
separate run of \`npm run bench -- --only overhead\` (all three: \`npm run bench:nodes\`): ${provenance(all)}.${quick}

**Client CPU ms per turn**, models answering at once: the mean over rounds of one turn of each implementation
(their order rotating; ${latest.cpuCalls ?? "?"} model calls of this library's turns per shape${latest.warmUpCalls ? `, after warm-up rounds of ${latest.warmUpCalls} model calls per implementation` : ""}), garbage collection included. On a
shared machine the load changes within a second, so each implementation's turns sit among the others'.
Next to last column: this library over the bare LangGraph graph of the same shape, their total CPU over
the same rounds (target: at most ${CPU_TARGET}); last: its 95 % interval (bootstrap over the rounds).

${head(["Node", "proposers x layers"], ["this library / bare graph", "95 % interval"])}
${cpuRows.join("\n")}

**Wall time of a turn / its critical path**, every model call taking 100 ms (critical path: (layers + 1) x
100 ms); median of ${latest.wallTurns} turns per implementation, taking turns.

${head(["Node", "proposers x layers", "critical path (ms)"])}
${wallRows.join("\n")}

![CPU per turn](charts/cpu-per-turn.svg)

**\`MaxListenersExceededWarning\`s** Node emitted during each implementation's turns of both measurements
(Node 24 sets no listener limit on an \`AbortSignal\`, so none can be emitted there).

${head(["Node", "proposers x layers"])}
${warningRows.join("\n")}

**Against the reference implementations** (${latest.node}): the best of AgentScope 0.1.6 and the LlamaIndex MoA
pack at each shape (bench/peers.ts: measured on Node 20 against the same kind of server, in a run whose
raw \`openai\` client floor is given there; Python, not re-run here). Machines differ in speed, so each
peer figure is also given scaled to this machine: its CPU by how much slower this report's Node 20 raw
floor is than the peers' run's, its overhead over the critical path (wall ratio - 1) likewise.
${scaleNote} Target: below the best peer, scaled.

| proposers x layers | this library: CPU ms per turn | best peer, as measured | best peer, scaled to this machine | this library: wall / critical path | best peer, as measured | best peer, scaled |
|---|---|---|---|---|---|---|
${peerRows.join("\n")}

Peers' figures (CPU ms per turn; wall ratio): ${PEER_FIGURES.map((p) => `${shapeOf(p)}: AgentScope ${p.cpuMsPerTurn.agentscope}; ${p.wallRatio.agentscope}, LlamaIndex ${p.cpuMsPerTurn.llamaindex}; ${p.wallRatio.llamaindex}`).join(" · ")}.
Where the remaining cost is upstream, and what would remove it: [PROFILE.md](PROFILE.md).
`;
}

/** Section 2: what a caller can change, per Node version. */
export function settingsSection(runs: Record<string, SettingsRun> | undefined): string {
  const title = "## 2. What a caller can change";
  const all = byNode(runs);
  if (all.length === 0) return `${title}\n\nNot measured yet: run \`npm run bench -- --only settings\`.\n`;
  const first = all[0] as SettingsRun;
  const rows = first.rows.map((row, i) => {
    const cells = all.map((run) => {
      const other = run.rows[i];
      return other ? `${other.cpuMsPerTurn} (${other.ratio})` : "";
    });
    return `| ${row.group} | ${row.setting}${row.isDefault ? " **(default)**" : ""} | ${cells.join(" | ")} |`;
  });
  return `${title}

Client CPU ms per turn (and the ratio to the group's default), ${first.shape.proposers} proposers x ${first.shape.layers} layers, models answering
at once, the turns of each setting in alternating blocks (the median block counts); the model server in its own process.
${provenance(all)}.

| what | setting | ${all.map((run) => `Node ${run.node} (${run.turns} turns${run.quick ? ", quick" : ""})`).join(" | ")} |
|---|---|${all.map(() => "---").join("|")}|
${rows.join("\n")}

The defaults are the cheapest settings that keep every feature:
- **Stream mode** is the caller's choice; \`values\` (what \`invoke\` uses) and \`updates\` cost the same. \`messages\`
  makes every model stream its tokens, which is its purpose.
- **Callbacks**: a handler makes LangChain report every run to it. The library adds none to a proposer's
  call and dispatches its proposal event only when a handler is there to receive it; the chat model
  (\`MixtureOfAgents\`) needs one of its own per turn for \`showInternal\` and its events.
- **Durability** is LangGraph's \`exit\` for a run that sets none (since section 13's thread benchmark): one
  checkpoint per turn instead of one per step, each holding the whole conversation. The rows above were
  measured with each setting given explicitly, and their **(default)** mark is the default of the day they were
  measured (\`async\` until then); a running turn's steps can be read with \`getState\` from another process
  (LangGraph Studio) only with \`async\` or \`sync\`, which a run may still pass.
- **A task per proposer** stays. One task per layer is cheaper in a bare graph, but then a proposal is no
  longer saved, streamed (\`updates\`, \`tasks\`, \`custom\`) or traced as it arrives: each proposer call is
  a LangGraph task of its own.
`;
}
