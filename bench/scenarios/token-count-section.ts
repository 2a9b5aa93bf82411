/** Section 12 of the benchmark report: counting a long message's tokens against a model's input limit. */
import type { TokenCountResult, TokenCountRow, TokenCountTurnRow } from "./token-count.js";

const TITLE = "## 12. Token counting: a 1 MiB message against the model's input limit";

/** Section 12: the fitting of a turn with a long message, before and now, the counter's load, and whole turns. */
export function tokenCountSection(t: TokenCountResult | undefined): string {
  if (!t) return `${TITLE}\n\nNot measured yet: run \`npm run bench -- --only token-count\`.\n`;
  const size = t.messageChars % (1 << 20) === 0 ? `${t.messageChars / (1 << 20)} MiB` : `${t.messageChars / 1024} KiB`;
  const rows = t.rows.map(fittingRow);
  const most = (pick: (row: TokenCountRow) => number) => Math.max(...t.rows.map(pick));
  const least = (pick: (row: TokenCountRow) => number) => Math.min(...t.rows.map(pick));
  return `${TITLE}

Before each model call the library fits the request to the model's input limit, counting its tokens with
\`o200k_base\` (\`src/nodes/fit-call.ts\`). A conversation of one user message of ${size} (${t.messageChars.toLocaleString("en")} characters): prose
of common English words or base64 of random bytes (their tokens in the table), against the limits of
${limitNames(t)}. At the smaller the message does not fit: all ${t.proposers} proposers refuse it with \`ContextOverflowError\` and the turn ends
there. At the larger it fits, and the aggregator's request (the message with the references appended to it, the
default placement) is counted too. Each row is the fitting of such a turn, ${t.proposers} proposers x 1 layer at once and then
the aggregator, as \`propose\` and \`askAggregators\` call \`fitCall\`, without the model calls: the baseline
(\`bench/scenarios/token-count-baseline.ts\`, the fitting as it was: every request counted whole, at once, with
\`js-tiktoken\`'s encoder, once per call) and now, ${t.turns} turns each in alternation, in one process. The first turn is the
first time the process sees the message; the later turns send the same conversation in new message objects (as a
thread's checkpoint gives it back). The longest block is the longest the event loop waited in any of the turns
(\`monitorEventLoopDelay\`, 1 ms resolution); on a shared machine the process is also preempted, which shows as blocks
too (see the short message below).

| message (tokens) | limit (tokens) | outcome | first turn, ms: baseline → now | ratio | later turns, ms: baseline → now | ratio | CPU, first turn, ms: baseline → now | longest block, ms: baseline → now | characters encoded, first / later turn: baseline → now |
|---|---|---|---|---|---|---|---|---|---|
${rows.join("\n")}

Now a turn counts the message once between its calls (the proposers share one count; the aggregator's request,
which starts with the message, goes on from where the message's count ended), stops once the count passes what
the decision needs (the budget, or up to ${(100_000).toLocaleString("en")} tokens to say by how much a request is over), counts in slices
of at most 10 ms with the event loop free between them, and remembers the counts of the texts it has seen (by
text, the most recent 16 M characters), so that a later turn with the same conversation counts nothing again:
${most((row) => row.current.nextMs)} ms at most here, and no block over ${most((row) => row.current.maxBlockMs)} ms in any turn. The encoder is still
\`js-tiktoken\`'s, so the first sight of a long text costs what encoding it costs (per character encoded in the first
turn, CPU: ${speeds(t)}): the work is bounded and spread, not made faster. So the first turn that
sees such a message still adds ${least((row) => row.current.firstMs)} to ${most((row) => row.current.firstMs)} ms here, in slices; the turns after it stay under
100 ms. A faster encoder than \`js-tiktoken\` would be what takes the first turn lower.

${loadTable(t)}
${wholeTurnsTable(t)}`;
}

function fittingRow(row: TokenCountRow): string {
  const { baseline: b, current: c } = row;
  const chars = (n: number) => n.toLocaleString("en");
  return `| ${row.text} (${chars(row.messageTokens)}) | ${row.limit.toLocaleString("en")} | ${row.outcome} | ${b.firstMs} → ${c.firstMs} | **${row.firstRatio}** | ${b.nextMs} → ${c.nextMs} | **${row.nextRatio}** | ${b.firstCpuMs} → ${c.firstCpuMs} | ${b.maxBlockMs} → **${c.maxBlockMs}** | ${chars(b.firstEncodedChars)} / ${chars(b.nextEncodedChars)} → ${chars(c.firstEncodedChars)} / ${chars(c.nextEncodedChars)} |`;
}

/** Each row's CPU per character encoded in its first turn, baseline and now. */
function speeds(t: TokenCountResult): string {
  const perChar = (cpuMs: number, chars: number) => (chars === 0 ? "-" : `${((cpuMs * 1000) / chars).toFixed(2)} µs`);
  return t.rows.map((row) => `${row.text} at ${row.limit.toLocaleString("en")}, ${perChar(row.baseline.firstCpuMs, row.baseline.firstEncodedChars)} → ${perChar(row.current.firstCpuMs, row.current.firstEncodedChars)}`).join("; ");
}

function limitNames(t: TokenCountResult): string {
  const [small, large] = [...new Set(t.rows.map((row) => row.limit))].sort((a, b) => a - b);
  const name = (limit: number | undefined, model: string) => (limit === undefined ? "" : `${limit.toLocaleString("en")} tokens${t.quick ? "" : ` (${model}'s, from its LangChain profile)`}`);
  return `${name(small, "gpt-4o")} and ${name(large, "gpt-4.1")}`;
}

function loadTable(t: TokenCountResult): string {
  if (!t.load) return "**Loading the counter** was not measured in this (quick) run.\n";
  const { baseline: b, current: c, runs } = t.load;
  return `**Loading the counter**, once per process (the median of ${runs} fresh process${runs === 1 ? "" : "es"} each, in turn): the baseline imports the
ranks and builds \`js-tiktoken\`'s encoder at once, and so does the library now: building it from its ranks is one
block of the event loop (about a second), once per process and only when a request may be over a model's input
limit (a request of fewer UTF-8 bytes than the budget is never counted).

| counter | load (ms) | longest block (ms) |
|---|---|---|
| baseline | ${b.loadMs} | ${b.maxBlockMs} |
| now | ${c.loadMs} | **${c.maxBlockMs}** |
`;
}

function wholeTurnsTable(t: TokenCountResult): string {
  const rows = t.endToEnd.map((row: TokenCountTurnRow) => `| ${row.text} | ${row.limit.toLocaleString("en")} | ${row.outcome} | ${row.firstMs} | ${row.nextMs} | ${row.maxBlockMs} |`);
  return `**Whole turns** of the library (its source, as the rows above), ${t.proposers} proposers x 1 layer + aggregator, every model a \`ChatOpenAI\`
client of the bench model server (in a process of its own, answering at once) with \`maxInputTokens\` set to the
limit; after a turn to warm up, a message of its own for each row, so that its first turn counts it, then the same
again. Besides the counting, a turn sends the message to the server in each of its requests (serialized, posted,
and parsed by the server in its own process), which takes time and holds the event loop too: in the next turns
nothing is counted again (as in the rows above), and what is left is that. The short message shows a turn without
a long message, and what preemption adds on this machine.

| message | limit (tokens) | outcome | first turn (ms) | next turn (ms) | longest block (ms) |
|---|---|---|---|---|---|
${rows.join("\n")}
`;
}
