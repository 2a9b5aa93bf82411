import type { UsageMetadata } from "@langchain/core/messages";

/** Token usage with all three counts present. */
export type TokenUsage = Pick<UsageMetadata, "input_tokens" | "output_tokens" | "total_tokens">;

/** Zero tokens. */
export const NO_USAGE: TokenUsage = Object.freeze({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });

/** Sums the usages that were reported; calls that reported none add nothing. */
export function sumUsage(usages: ReadonlyArray<TokenUsage | undefined>): TokenUsage {
  let input_tokens = 0;
  let output_tokens = 0;
  let total_tokens = 0;
  for (const usage of usages) {
    if (usage === undefined) continue;
    input_tokens += usage.input_tokens;
    output_tokens += usage.output_tokens;
    total_tokens += usage.total_tokens;
  }
  return { input_tokens, output_tokens, total_tokens };
}

/** The three counts of a message's `usage_metadata`, or `undefined` when the provider reported none. */
export function usageOf(metadata: UsageMetadata | undefined): TokenUsage | undefined {
  if (metadata === undefined) return undefined;
  const { input_tokens = 0, output_tokens = 0 } = metadata;
  return { input_tokens, output_tokens, total_tokens: metadata.total_tokens ?? input_tokens + output_tokens };
}
