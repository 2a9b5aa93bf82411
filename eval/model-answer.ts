import type { BaseMessage } from "@langchain/core/messages";

/** What one answer (of a system, or of the judge) cost. */
export interface AnswerCost {
  /** Model calls made (a retried call counts once). */
  readonly calls: number;
  /** Input tokens the providers reported, or null when a call reported none. */
  readonly inputTokens: number | null;
  /** Output tokens the providers reported, or null when a call reported none. */
  readonly outputTokens: number | null;
  /** Wall time of the answer in milliseconds. */
  readonly wallMs: number;
}

/** An answer's text and cost. */
export interface ModelAnswer extends AnswerCost {
  readonly text: string;
  /** Calls that failed on the way to the answer (an MoA that answered without a failed proposer). */
  readonly failedCalls?: number;
}

/** Answers a conversation (or rejects with an error whose message names the model and the cause). */
export type AnswerFunction = (messages: readonly BaseMessage[], signal: AbortSignal) => Promise<ModelAnswer>;
