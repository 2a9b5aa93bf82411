import type { TokenUsage } from "../src/index.js";
import type { AnswerCost } from "./model-answer.js";

/** The cached and reasoning tokens of `usage`, where its providers reported them. */
export function usageDetails(usage: TokenUsage | undefined): Pick<AnswerCost, "cachedTokens" | "reasoningTokens"> {
  const cached = usage?.input_token_details?.cache_read;
  const reasoning = usage?.output_token_details?.reasoning;
  return { ...(cached !== undefined ? { cachedTokens: cached } : {}), ...(reasoning !== undefined ? { reasoningTokens: reasoning } : {}) };
}
