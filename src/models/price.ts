import type { TokenUsage } from "./usage.js";

/**
 * A model's prices per million tokens, in a currency of your choice: the numbers as the provider's price
 * page gives them (US dollars for OpenAI's and Google's), e.g. `{ inputPerMTok: 2.5, outputPerMTok: 10 }`.
 * Every cost computed from it (the trace's `cost`, the answer summary's) is in the same currency.
 */
export interface ModelPrice {
  /**
   * The price of one million input (prompt) tokens. Input tokens not read from a prompt cache are billed
   * at it, those written to a cache (`input_token_details.cache_creation`) included.
   */
  readonly inputPerMTok: number;
  /**
   * The price of one million output tokens. Reasoning tokens are output tokens, as providers bill them
   * (`usage_metadata.output_tokens` counts them; where a client leaves them out of it but in
   * `total_tokens`, as Gemini's does with its thinking tokens, `total_tokens - input_tokens` is billed).
   */
  readonly outputPerMTok: number;
  /**
   * The price of one million input tokens read from the provider's prompt cache
   * (`usage_metadata.input_token_details.cache_read`). Default: `inputPerMTok`.
   */
  readonly cachedInputPerMTok?: number;
}

/**
 * What a call that reported `usage` cost at `price`, in the price's currency: its input tokens less those
 * read from a prompt cache at `inputPerMTok`, the cached ones at `cachedInputPerMTok` (default
 * `inputPerMTok`), its output tokens at `outputPerMTok`, divided by one million.
 */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  const input = usage.input_tokens;
  const cached = Math.min(usage.input_token_details?.cache_read ?? 0, input);
  const output = Math.max(usage.output_tokens, usage.total_tokens - input);
  const cachedPrice = price.cachedInputPerMTok ?? price.inputPerMTok;
  return ((input - cached) * price.inputPerMTok + cached * cachedPrice + output * price.outputPerMTok) / 1e6;
}

/**
 * A cost as a plain number with 4 significant digits and no exponent, e.g. `0.01235`, `1.5`, `1235`
 * (the currency is the prices', so it is not named).
 */
export function formatCost(cost: number): string {
  return cost.toLocaleString("en-US", { maximumSignificantDigits: 4, useGrouping: false });
}

/** What a call cost: {@link costOf} its `usage` at `price`, or `undefined` when either is missing. */
export function callCost(usage: TokenUsage | undefined, price: ModelPrice | undefined): number | undefined {
  return usage === undefined || price === undefined ? undefined : costOf(usage, price);
}
