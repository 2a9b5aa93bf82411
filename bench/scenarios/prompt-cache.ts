import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import type { ReferencePlacement } from "../../src/index.js";
import { library } from "../library.js";
import { textTokens } from "../../test/support/prompt-cache.js";
import type { RecordedRequest } from "../../test/support/protocol-server.js";
import { progress, startBench, type Size } from "../setup.js";
import { round } from "../stats.js";

const { createMixtureOfAgents } = library;

/** One turn of a conversation: the input tokens its calls read, and how many of them the provider's cache served. */
export interface PromptCacheTurn {
  turn: number;
  inputTokens: number;
  cachedTokens: number;
  /** cachedTokens / inputTokens. */
  share: number;
}

/** One conversation with one placement of the references. */
export interface PromptCacheRun {
  placement: ReferencePlacement;
  conversation: ConversationKind;
  turns: PromptCacheTurn[];
  /** Cached over input tokens, all turns. */
  overall: number;
  /** Cached over input tokens, from turn 3 on. */
  fromTurn3: number;
}

/** What the prompt-cache benchmark measured. */
export interface PromptCacheResult {
  proposers: number;
  layers: number;
  turns: number;
  /** Estimated tokens of the system prompt of the "assistant" conversation. */
  systemPromptTokens: number;
  runs: PromptCacheRun[];
}

/** With a long system prompt (an assistant with instructions and a reference document), or with none. */
export type ConversationKind = "assistant" | "plain chat";

const PROPOSERS = 3;
const LAYERS = 2;
const TURNS = 10;
const PLACEMENTS: readonly ReferencePlacement[] = ["last_message", "system_message"];
const KINDS: readonly ConversationKind[] = ["assistant", "plain chat"];

const TOPICS = ["returns", "shipping", "warranty", "payment", "accounts", "privacy", "discounts", "repairs", "gift cards", "business orders"];

/**
 * A support assistant's system prompt: its instructions and a policy document of ten sections (about
 * 1,000 tokens by the server's estimate), the kind of fixed prefix production assistants send.
 */
const SYSTEM_PROMPT = [
  "You are the customer support assistant of an online shop. Answer in a friendly, precise tone, cite the policy section you rely on, and say so when the policy does not cover a question.",
  ...TOPICS.map(
    (topic, i) =>
      `Policy section ${i + 1}, ${topic}: customers may ask about ${topic} at any time. The rules on ${topic} apply to every order placed in the shop, whatever the payment method, ` +
      `unless a written agreement says otherwise. A request about ${topic} is answered within two working days; when it needs a manager's approval, the customer is told who decides and by when. ` +
      `Exceptions on ${topic} are recorded with the order number, the date and the reason, and a customer can always ask for the record. Staff never promise more than this section allows.`,
  ),
].join("\n\n");

/** The user's question of each turn. */
const question = (turn: number) =>
  `Thank you. Next question (${turn}): what does the policy say about ${TOPICS[(turn - 1) % TOPICS.length]} when my order arrived late and I paid with a voucher?`;

/** A model's answers: about 140 tokens each, each new (they name the model and how many it gave before). */
function answerScript(): (request: RecordedRequest) => string {
  const answered = new Map<string, number>();
  return (request) => {
    const n = (answered.get(request.model) ?? 0) + 1;
    answered.set(request.model, n);
    return answerText(request, n);
  };
}

function answerText(request: RecordedRequest, n: number): string {
  const turn = request.messages.filter((m) => m.role === "user").length;
  const topic = TOPICS[(turn - 1) % TOPICS.length];
  return (
    `On ${topic} (answer ${n} of ${request.model}): section ${((turn - 1) % TOPICS.length) + 1} applies to your order whatever the payment method, vouchers included. ` +
    `A late delivery does not change the rules on ${topic}, but you can ask for an exception, which is recorded with your order number, the date and the reason. ` +
    `You get an answer within two working days; if a manager has to approve it, you are told who decides and by when. ` +
    `Keep the order number and the voucher code at hand when you write to us, and ask for the record of the exception if you want it in writing. ` +
    `If your case is not covered by the policy, I will say so and pass it on to a colleague who can decide.`
  );
}

/**
 * A 10-turn conversation (3 in a quick run) with a MoA of 3 proposers x 2 layers, once with each reference
 * placement, with and without a long system prompt. The aggregator is the first proposer's model, as in
 * the MoA paper's reference implementation. The server counts each request's tokens and the longest
 * prefix it shares with an earlier request to the same model (what a provider's prefix cache serves,
 * see test/support/prompt-cache.ts); the figures are the MoA traces' sums of what it reported.
 */
export async function promptCache(size: Size): Promise<PromptCacheResult> {
  const turns = size === "quick" ? 3 : TURNS;
  const runs: PromptCacheRun[] = [];
  for (const conversation of KINDS) {
    for (const placement of PLACEMENTS) {
      runs.push(await runConversation(conversation, placement, turns));
      progress("prompt cache", runs.length, KINDS.length * PLACEMENTS.length);
    }
  }
  return { proposers: PROPOSERS, layers: LAYERS, turns, systemPromptTokens: textTokens(SYSTEM_PROMPT).length, runs };
}

async function runConversation(conversation: ConversationKind, placement: ReferencePlacement, turns: number): Promise<PromptCacheRun> {
  const names = Array.from({ length: PROPOSERS }, (_, i) => `model-${i + 1}`);
  const text = answerScript();
  const bench = await startBench(Object.fromEntries(names.map((name) => [name, { text, usage: "counted" as const }])));
  try {
    const proposers = names.map((name) => bench.client(name));
    const graph = createMixtureOfAgents({ proposers, aggregator: bench.client(names[0] as string), layers: LAYERS, referencePlacement: placement, checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: `${conversation}-${placement}` } };
    const rows: PromptCacheTurn[] = [];
    for (let turn = 1; turn <= turns; turn++) {
      const messages: BaseMessage[] = [...(turn === 1 && conversation === "assistant" ? [new SystemMessage(SYSTEM_PROMPT)] : []), new HumanMessage(question(turn))];
      const { trace } = await graph.invoke({ messages }, config);
      const inputTokens = trace.usage?.input_tokens ?? 0;
      const cachedTokens = trace.usage?.input_token_details?.cache_read ?? 0;
      if (inputTokens === 0) throw new Error(`prompt cache: turn ${turn} reported no input tokens`);
      rows.push({ turn, inputTokens, cachedTokens, share: round(cachedTokens / inputTokens, 3) });
    }
    const shareOf = (subset: PromptCacheTurn[]) => round(sum(subset, "cachedTokens") / sum(subset, "inputTokens"), 3);
    return { placement, conversation, turns: rows, overall: shareOf(rows), fromTurn3: shareOf(rows.filter((row) => row.turn >= 3)) };
  } finally {
    await bench.close();
  }
}

function sum(rows: readonly PromptCacheTurn[], key: "inputTokens" | "cachedTokens"): number {
  return rows.reduce((total, row) => total + row[key], 0);
}
