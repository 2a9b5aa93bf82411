import type { TokenUsage } from "../models/usage.js";
import type { ReferenceCut } from "../prompts/fit-references.js";
import type { CallError } from "./call-error.js";

/**
 * What a proposer's answer held instead of text: nothing at all (`"no_text"`), only tool calls
 * (`"tool_calls_only"`: a proposer given with tools bound), or only reasoning (`"reasoning_only"`:
 * a reasoning model that spent its token budget thinking, whether the reasoning came apart or inline).
 */
export type EmptyReason = "no_text" | "tool_calls_only" | "reasoning_only";

/** Why a proposer that answered gave no text to pass on: such an answer is not a proposal. */
export interface EmptyAnswer {
  /** What the answer held instead of text. */
  readonly reason: EmptyReason;
  /**
   * Why the provider says the answer ended, as it reported it (OpenAI `finish_reason`, Ollama
   * `done_reason`, Gemini `finishReason`), when it did: `"length"` / `"MAX_TOKENS"` mean the token
   * limit ran out; `"SAFETY"`, `"content_filter"` that a filter stopped it.
   */
  readonly finishReason?: string;
  /** Why the provider blocked the prompt before any answer (Gemini `promptFeedback.blockReason`, e.g. `"SAFETY"`). */
  readonly blockReason?: string;
}

/**
 * The outcome of one proposer call, as the `propose` node writes it into the state. Exactly one of
 * `text` (an answer, the proposal proper) and `error` is present; `empty` and `straggler` say why
 * there is no text when the call itself did not fail.
 */
export interface Proposal {
  /** The proposer's id. */
  readonly id: string;
  /** The proposer's display name. */
  readonly model: string;
  /** The proposer's position; proposals are ordered by it. */
  readonly index: number;
  /** The 1-based layer. */
  readonly layer: number;
  /**
   * The answer's text as it becomes a reference: reasoning written inline (`<think>…</think>`) is
   * removed. Absent when the call failed, was cut off, or answered no text (see `empty`).
   */
  readonly text?: string;
  /** Tokens the provider reported; absent when it reported none. */
  readonly usage?: TokenUsage;
  /**
   * What the call cost at its model's `price`, in the price's currency; absent when the model has no price
   * or the provider reported no usage.
   */
  readonly cost?: number;
  /** Epoch milliseconds when the call started. */
  readonly startedAt: number;
  /** Epoch milliseconds when the call ended. */
  readonly endedAt: number;
  /** Attempts made (more than 1 when a 429, 5xx or dropped connection was retried). */
  readonly attempts?: number;
  /**
   * Why there is no proposal: the call's error, or (with `empty`) an `EmptyAnswerError` saying what
   * the answer held instead of text and, where it is a common cause, the fix.
   */
  readonly error?: CallError;
  /** Set when the call answered but with no text (empty, whitespace, only tool calls, only reasoning). */
  readonly empty?: EmptyAnswer;
  /** True when the call was aborted because the layer's quorum was reached and its grace period ran out. */
  readonly straggler?: boolean;
  /** What was cut from the call's references to fit its model's input limit; absent when nothing was. */
  readonly cuts?: readonly ReferenceCut[];
}
