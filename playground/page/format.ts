/** How the page writes times, token counts and money. */
import type { TokenUsage } from "../../src/index.js";

/** Milliseconds as seconds, e.g. `1.2 s`, or `340 ms` under a second. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Token usage as `13 tokens (10 in, 3 out)`. */
export function tokens(usage: TokenUsage | undefined): string {
  if (usage === undefined) return "tokens not reported";
  return `${usage.total_tokens} tokens (${usage.input_tokens} in, ${usage.output_tokens} out)`;
}

/** A cost in the prices' currency, to 4 significant digits (the library's `formatCost`). */
export { formatCost as money } from "../../src/models/price.js";
