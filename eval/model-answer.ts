import type { BaseMessage } from "@langchain/core/messages";

/** What one answer (of a system, or of the judge) cost. */
export interface AnswerCost {
  /** Model calls made (a retried call counts once). */
  readonly calls: number;
  /** Input tokens the providers reported, or null when a call reported none. */
  readonly inputTokens: number | null;
  /** Output tokens the providers reported, or null when a call reported none. */
  readonly outputTokens: number | null;
  /** Of the input tokens, those the providers served from their prompt caches (`cache_read`), where reported. */
  readonly cachedTokens?: number;
  /** Of the output tokens, the reasoning tokens (`output_token_details.reasoning`), where reported. */
  readonly reasoningTokens?: number;
  /** Wall time of the answer in milliseconds. */
  readonly wallMs: number;
  /**
   * What the answer's calls cost at their models' prices (`price` on a model spec), in the prices' currency;
   * absent when no call had a cost.
   */
  readonly cost?: number;
  /** Calls that answered without a cost (no price, or no usage reported), counted when some model has a price. */
  readonly costMissing?: number;
}

/** The cost part of `answer`, without its text. */
export function answerCost({ calls, inputTokens, outputTokens, cachedTokens, reasoningTokens, wallMs, cost, costMissing }: AnswerCost): AnswerCost {
  return {
    calls,
    inputTokens,
    outputTokens,
    ...(cachedTokens !== undefined ? { cachedTokens } : {}),
    ...(reasoningTokens !== undefined ? { reasoningTokens } : {}),
    wallMs,
    ...(cost !== undefined ? { cost } : {}),
    ...(costMissing !== undefined ? { costMissing } : {}),
  };
}

/** An answer's text and cost. */
export interface ModelAnswer extends AnswerCost {
  readonly text: string;
  /** Calls that failed on the way to the answer (an MoA that answered without a failed proposer). */
  readonly failedCalls?: number;
}

/** Answers a conversation (or rejects with an error whose message names the model and the cause). */
export type AnswerFunction = (messages: readonly BaseMessage[], signal: AbortSignal) => Promise<ModelAnswer>;
