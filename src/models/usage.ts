import { mergeUsageMetadata, type UsageMetadata } from "@langchain/core/messages";

/** Token usage as LangChain reports it: input, output and total tokens, with optional details. */
export type TokenUsage = UsageMetadata;

/**
 * Sums the usages that were reported (details included); calls that reported none add nothing.
 * `undefined` when no call reported usage.
 */
export function sumUsage(usages: ReadonlyArray<TokenUsage | undefined>): TokenUsage | undefined {
  const reported = usages.filter((usage): usage is TokenUsage => usage !== undefined);
  if (reported.length === 0) return undefined;
  return reported.reduce((sum, usage) => dropEmptyDetails(mergeUsageMetadata(sum, usage)));
}

/** A copy of `usage` without empty detail objects (which `mergeUsageMetadata` leaves behind). */
function dropEmptyDetails(usage: TokenUsage): TokenUsage {
  const { input_token_details: input, output_token_details: output, ...counts } = usage;
  return {
    ...counts,
    ...(input && Object.keys(input).length > 0 ? { input_token_details: input } : {}),
    ...(output && Object.keys(output).length > 0 ? { output_token_details: output } : {}),
  };
}

/** Zero tokens, for traces of layers in which no call reported usage. */
export const NO_USAGE: TokenUsage = Object.freeze({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
