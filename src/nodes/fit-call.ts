import { ContextOverflowError } from "@langchain/core/errors";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ModelSlot } from "../models/model-slots.js";
import { FIT_SHARE, tokenCounter, type TokenCounter } from "../models/token-count.js";
import { shortenReferencesInSlices, type ReferenceCut } from "../prompts/fit-references.js";

/** A call's messages, and what was cut from its references to fit them (absent when nothing was). */
export interface FittedCall {
  readonly messages: BaseMessage[];
  readonly cuts?: readonly ReferenceCut[];
}

/** Tokens a chat template adds around each message (role markers), by OpenAI's documented count. */
const MESSAGE_FRAMING_TOKENS = 4;

/**
 * A request over its budget is counted on up to this many tokens (or its budget, if more), so that a
 * refusal can say how long it is; a longer one is refused as "more than" that, its count stopped there.
 */
const EXACT_OVERFLOW_TOKENS = 100_000;

/**
 * The most input tokens `slot`'s model takes: the spec's `maxInputTokens`, else the model's LangChain
 * profile (`profile.maxInputTokens`, known for many hosted models), else unknown.
 */
export function inputLimitOf(slot: ModelSlot, model: BaseChatModel): number | undefined {
  return slot.maxInputTokens ?? model.profile?.maxInputTokens;
}

/**
 * The messages `build` makes of `references` (none in layer 1), fitted to `limit` input tokens: when they
 * would hold more than {@link FIT_SHARE} of it (by the `o200k_base` count, see `token-count.ts`), every
 * reference is shortened in proportion ({@link shortenReferencesInSlices}), with a visible marker. With no known
 * limit, or when the request fits (most do: a request of fewer UTF-8 bytes than the budget is not even
 * counted), the messages are built as they are.
 *
 * Counting never holds the event loop for long: it runs in slices of it, stops once past what the
 * decision needs, and each message's count is remembered for the next call.
 *
 * @throws ContextOverflowError when the request is over the budget without any reference text (the
 *   conversation itself is too long for the model): it is never sent.
 */
export async function fitCall(limit: number | undefined, references: readonly string[], build: (references: readonly string[]) => BaseMessage[]): Promise<FittedCall> {
  const messages = build(references);
  const over = await overBudget(limit, messages, references.length === 0);
  if (over === undefined) return { messages };
  const { budget, counter, tokens, counted } = over;
  const base = references.length === 0 ? tokens : await requestTokens(build(references.map(() => "")), counter, counted);
  if (base >= budget) {
    const held = base > counted ? `more than ${counted}` : `${base}`;
    const what = references.length === 0 ? `the request holds ${held} tokens` : `the request holds ${held} tokens before any reference`;
    throw new ContextOverflowError(
      `${what}, over ${budget} (${FIT_SHARE * 100} % of the model's input limit of ${limit} tokens): shorten the conversation, or raise the model's maxInputTokens if it takes more`,
    );
  }
  // The references' formatting (numbers, separators) is counted in `base`; a pass or two settles rounding.
  let room = budget - base;
  for (;;) {
    const shortened = await shortenReferencesInSlices(references, room, counter);
    const fitted = build(shortened.references);
    const over = (await requestTokens(fitted, counter, counted)) - budget;
    if (over <= 0) return { messages: fitted, cuts: shortened.cuts };
    room -= over;
    if (room <= 0) {
      throw new ContextOverflowError(
        `the request holds ${base} tokens before any reference, and its ${references.length} references do not fit the ${budget - base} tokens left (${FIT_SHARE * 100} % of the model's input limit of ${limit} tokens) even cut to their markers: use referenceFit "windows", fewer proposers, or raise the model's maxInputTokens if it takes more`,
      );
    }
  }
}

/** A request over its budget: the budget, the counter, and the request's tokens, exact up to `counted` (above it, some number past it). */
interface OverBudget {
  readonly budget: number;
  readonly counter: TokenCounter;
  readonly tokens: number;
  /** Up to where counts are exact: the budget, or {@link EXACT_OVERFLOW_TOKENS} if more. */
  readonly counted: number;
}

/**
 * The budget of `limit` ({@link FIT_SHARE} of it) and `messages`' tokens when `messages` are over it;
 * `undefined` when they fit or no limit is known. Most requests are not counted: one of fewer UTF-8 bytes
 * than the budget fits. The count stops at the budget, or, when `measure` asks for the size of the
 * overflow, at {@link EXACT_OVERFLOW_TOKENS} if that is more.
 */
async function overBudget(limit: number | undefined, messages: readonly BaseMessage[], measure: boolean): Promise<OverBudget | undefined> {
  if (limit === undefined) return undefined;
  const budget = Math.floor(limit * FIT_SHARE);
  if (mostTokens(messages) <= budget) return undefined;
  const counter = await tokenCounter();
  const counted = Math.max(budget, EXACT_OVERFLOW_TOKENS);
  const tokens = await requestTokens(messages, counter, measure ? counted : budget);
  return tokens <= budget ? undefined : { budget, counter, tokens, counted };
}

/** An upper bound of a request's tokens: a token is at least one UTF-8 byte. */
function mostTokens(messages: readonly BaseMessage[]): number {
  return messages.reduce((sum, message) => sum + Buffer.byteLength(sentText(message)) + MESSAGE_FRAMING_TOKENS, 0);
}

/** A request's tokens when there are at most `atMost`; otherwise some number above `atMost` (the count stops past it). */
async function requestTokens(messages: readonly BaseMessage[], counter: TokenCounter, atMost: number): Promise<number> {
  let tokens = 0;
  for (const message of messages) {
    tokens += MESSAGE_FRAMING_TOKENS;
    tokens += await counter.countUpTo(sentText(message), atMost - tokens);
    if (tokens > atMost) return tokens;
  }
  return tokens;
}

/** The text a message puts in a request: its text, and the names and arguments of the tools it calls. */
function sentText(message: BaseMessage): string {
  const calls = AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
  return calls.length === 0 ? message.text : `${message.text}${JSON.stringify(calls.map(({ name, args }) => ({ name, args })))}`;
}

/** The next window of references to aggregate, and the call's messages. */
export interface ReferenceWindow extends FittedCall {
  /** How many of the remaining references the window holds (at least one). */
  readonly taken: number;
}

/**
 * The next window of a sequential aggregation (Self-MoA-Seq: Li et al. 2025, "Rethinking Mixture-of-Agents", arXiv 2502.00674):
 * the answer carried from the previous window, if any, then as many of the `remaining` references, in
 * order, as fit `limit` with it; a reference that does not fit even alone is shortened
 * ({@link fitCall}). With no known limit, every reference is one window. The last window's messages
 * are `build`'s; an earlier window's, whose answer is a draft read in text alone, `draftBuild`'s.
 */
export async function nextWindow(
  limit: number | undefined,
  carried: string | undefined,
  remaining: readonly string[],
  build: (references: readonly string[]) => BaseMessage[],
  draftBuild: (references: readonly string[]) => BaseMessage[],
): Promise<ReferenceWindow> {
  const withCarried = (window: readonly string[]) => (carried === undefined ? [...window] : [carried, ...window]);
  const all = build(withCarried(remaining));
  const over = await overBudget(limit, all, false);
  if (over === undefined) return { messages: all, taken: remaining.length };
  const { budget, counter } = over;
  let taken = 0;
  let messages: BaseMessage[] | undefined;
  for (let n = 1; n < remaining.length; n++) {
    const candidate = draftBuild(withCarried(remaining.slice(0, n)));
    if ((await requestTokens(candidate, counter, budget)) > budget) break;
    taken = n;
    messages = candidate;
  }
  if (messages !== undefined) return { messages, taken };
  const alone = remaining.length === 1 ? build : draftBuild;
  return { ...(await fitCall(limit, withCarried(remaining.slice(0, 1)), alone)), taken: 1 };
}
