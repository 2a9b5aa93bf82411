import type { AgreementResult } from "./scenarios/agreement.js";
import type { PromptCacheResult, PromptCacheRun } from "./scenarios/prompt-cache.js";

const percent = (share: number) => `${Math.round(share * 100)} %`;

/** A run's label: its conversation and placement. */
export const promptCacheRunLabel = (run: Pick<PromptCacheRun, "conversation" | "placement">) => `${run.conversation}, ${run.placement}`;

/** Section 9: how much of each turn's input the providers' prompt caches serve, with each reference placement. */
export function promptCacheSection(p: PromptCacheResult | undefined, heading: string): string {
  const title = `## ${heading}`;
  if (!p) return `${title}\n\nNot measured yet: run \`npm run bench -- --only prompt-cache\`.\n`;
  const turns = p.runs[0]?.turns.map((row) => row.turn) ?? [];
  const head = `| conversation | \`referencePlacement\` | ${turns.map((turn) => `turn ${turn}`).join(" | ")} | from turn 3 | all turns |`;
  const rule = `|---|---|${turns.map(() => "---").join("|")}|---|---|`;
  const rows = p.runs.map((run) => `| ${run.conversation} | \`${run.placement}\` | ${run.turns.map((row) => percent(row.share)).join(" | ")} | **${percent(run.fromTurn3)}** | ${percent(run.overall)} |`);
  const tokens = p.runs.map((run) => `${promptCacheRunLabel(run)}: ${run.turns.reduce((sum, row) => sum + row.cachedTokens, 0)} of ${run.turns.reduce((sum, row) => sum + row.inputTokens, 0)}`);
  return `${title}

A ${p.turns}-turn conversation with a MoA of ${p.proposers} proposers x ${p.layers} layers (the aggregator is the first proposer's
model, as in the MoA paper's reference implementation), once with each \`referencePlacement\`: as a support
assistant with a system prompt of ${p.systemPromptTokens} tokens (instructions and a policy document), and as a plain
chat without one. Each question is about 30 tokens, each answer about 140. The server counts each request's tokens (each word
and punctuation mark one token) and, as cached, the longest prefix the request shares with an earlier
request to the same model: what a provider's prefix cache (OpenAI and Gemini automatic caching, the KV
cache of Ollama, llama.cpp and vLLM) serves at best. The figures are the MoA traces' sums of what the
server reported (\`usage.input_token_details.cache_read\` over \`usage.input_tokens\`), per turn:

${head}
${rule}
${rows.join("\n")}

![share of input tokens served from the cache](charts/prompt-cache.svg)

Cached / input tokens over all turns: ${tokens.join("; ")}.

With \`"last_message"\` (the default) every call of a turn starts with the same messages, the conversation,
and the instruction and references follow it; the next turn starts with them too. What is left to read
is what no placement can serve from a cache: the last answer and the new question in layer 1, and the
references (new text) in layer 2 and the aggregator. With \`"system_message"\` the references change the
system message: a call after layer 1 shares with the calls before it only the start of the system
message (the system prompt, then the instruction up to the first reference) and reads the conversation
again, so its share falls as the conversation grows. In the first turn, when the conversation is shorter
than the instruction, the two placements cache about as much.
`;
}

/** Section 10: calls and tokens saved by stopping when proposals agree, and by voting instead of aggregating. */
export function agreementSection(a: AgreementResult | undefined, heading: string): string {
  const title = `## ${heading}`;
  if (!a) return `${title}\n\nNot measured yet: run \`npm run bench -- --only agreement\`.\n`;
  const rows = a.rows.map((row) => `| ${row.mode} | ${row.calls} | ${row.inputTokens} | ${row.outputTokens} | ${row.earlyExits} | ${row.callsRatio} | ${row.tokensRatio} |`);
  return `${title}

A scripted set of ${a.questions} questions, ${a.unanimous} of them closed (every proposer gives the same answer, up to case,
punctuation and emphasis) and ${a.questions - a.unanimous} open (every proposer answers in its own words), each asked once of a
MoA of ${a.proposers} proposers x ${a.layers} layers, with each setting; the server counts each request's tokens as in
section 9${a.tracesMatchServer ? ", and the MoA traces count the same calls" : ""}. Counts only: scripted answers say nothing of
the answers' quality.

| setting | model calls | input tokens | output tokens | turns stopped early | calls / full | tokens / full |
|---|---|---|---|---|---|---|
${rows.join("\n")}

![calls and tokens against the full mixture](charts/agreement.svg)

\`earlyExit\` skips the second layer of the closed questions (their proposals agree once normalized) and
keeps the aggregator; with \`skipAggregator\` the agreed proposal is the answer, streamed like an
aggregator's. Open questions run the whole mixture in both. A vote calls each proposer once and no
aggregator, whatever the question: the cheapest, and the paper's method for sampling one or several
models, but its answer is one of the proposals, never a synthesis of them.
`;
}
