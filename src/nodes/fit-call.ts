import { ContextOverflowError } from "@langchain/core/errors";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ModelSlot } from "../models/model-slots.js";
import { FIT_SHARE, tokenCounter, type TokenCounter } from "../models/token-count.js";
import { shortenReferences, type ReferenceCut } from "../prompts/fit-references.js";

/** A call's messages, and what was cut from its references to fit them (absent when nothing was). */
export interface FittedCall {
  readonly messages: BaseMessage[];
  readonly cuts?: readonly ReferenceCut[];
}

/** Tokens a chat template adds around each message (role markers), by OpenAI's documented count. */
const MESSAGE_FRAMING_TOKENS = 4;

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
 * reference is shortened in proportion ({@link shortenReferences}), with a visible marker. With no known
 * limit, or when the request fits (most do: a request of fewer UTF-8 bytes than the budget is not even
 * counted), the messages are built as they are.
 *
 * @throws ContextOverflowError when the request is over the budget without any reference text (the
 *   conversation itself is too long for the model): it is never sent.
 */
export async function fitCall(limit: number | undefined, references: readonly string[], build: (references: readonly string[]) => BaseMessage[]): Promise<FittedCall> {
  const messages = build(references);
  const over = await overBudget(limit, messages);
  if (over === undefined) return { messages };
  const { budget, counter, tokens } = over;
  const base = references.length === 0 ? tokens : requestTokens(build(references.map(() => "")), counter);
  if (base >= budget) {
    const what = references.length === 0 ? `the request holds ${base} tokens` : `the request holds ${base} tokens before any reference`;
    throw new ContextOverflowError(
      `${what}, over ${budget} (${FIT_SHARE * 100} % of the model's input limit of ${limit} tokens): shorten the conversation, or raise the model's maxInputTokens if it takes more`,
    );
  }
  // The references' formatting (numbers, separators) is counted in `base`; a pass or two settles rounding.
  let room = budget - base;
  for (;;) {
    const shortened = shortenReferences(references, room, counter);
    const fitted = build(shortened.references);
    const over = requestTokens(fitted, counter) - budget;
    if (over <= 0) return { messages: fitted, cuts: shortened.cuts };
    room -= over;
    if (room <= 0) {
      throw new ContextOverflowError(
        `the request holds ${base} tokens before any reference, and its ${references.length} references do not fit the ${budget - base} tokens left (${FIT_SHARE * 100} % of the model's input limit of ${limit} tokens) even cut to their markers: use referenceFit "windows", fewer proposers, or raise the model's maxInputTokens if it takes more`,
      );
    }
  }
}

/**
 * The budget of `limit` ({@link FIT_SHARE} of it), the counter and `messages`' tokens, when `messages`
 * are over it; `undefined` when they fit or no limit is known. Most requests are not counted: one of
 * fewer UTF-8 bytes than the budget fits.
 */
async function overBudget(limit: number | undefined, messages: readonly BaseMessage[]): Promise<{ budget: number; counter: TokenCounter; tokens: number } | undefined> {
  if (limit === undefined) return undefined;
  const budget = Math.floor(limit * FIT_SHARE);
  if (mostTokens(messages) <= budget) return undefined;
  const counter = await tokenCounter();
  const tokens = requestTokens(messages, counter);
  return tokens <= budget ? undefined : { budget, counter, tokens };
}

/** An upper bound of a request's tokens: a token is at least one UTF-8 byte. */
function mostTokens(messages: readonly BaseMessage[]): number {
  return messages.reduce((sum, message) => sum + Buffer.byteLength(sentText(message)) + MESSAGE_FRAMING_TOKENS, 0);
}

function requestTokens(messages: readonly BaseMessage[], counter: TokenCounter): number {
  return messages.reduce((sum, message) => sum + counter.count(sentText(message)) + MESSAGE_FRAMING_TOKENS, 0);
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
  const over = await overBudget(limit, all);
  if (over === undefined) return { messages: all, taken: remaining.length };
  const { budget, counter } = over;
  let taken = 0;
  let messages: BaseMessage[] | undefined;
  for (let n = 1; n < remaining.length; n++) {
    const candidate = draftBuild(withCarried(remaining.slice(0, n)));
    if (requestTokens(candidate, counter) > budget) break;
    taken = n;
    messages = candidate;
  }
  if (messages !== undefined) return { messages, taken };
  const alone = remaining.length === 1 ? build : draftBuild;
  return { ...(await fitCall(limit, withCarried(remaining.slice(0, 1)), alone)), taken: 1 };
}
