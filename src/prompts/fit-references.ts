import type { TokenCounter } from "../models/token-count.js";

/** What was cut from one reference so that a call fits its model's input limit. */
export interface ReferenceCut {
  /** The reference's position among the call's references (0-based, in proposer order). */
  readonly reference: number;
  /** Its tokens before the cut. */
  readonly tokens: number;
  /** Its tokens kept (the cut-off marker not counted). */
  readonly keptTokens: number;
}

/** The visible note that ends a shortened reference. */
export function cutMarker(cut: number, tokens: number): string {
  return `[… ${cut} of ${tokens} tokens cut to fit the model's input limit]`;
}

/**
 * `references` shortened in proportion to their lengths, so that together, with the marker each ends
 * with, they take at most `budget` tokens: each keeps the same share of its tokens, cut at the end.
 * References that fit already are returned as they are, with no cuts.
 */
export function shortenReferences(references: readonly string[], budget: number, counter: TokenCounter): { references: string[]; cuts: ReferenceCut[] } {
  const tokens = references.map((text) => counter.count(text));
  const total = tokens.reduce((sum, n) => sum + n, 0);
  if (total <= budget) return { references: [...references], cuts: [] };
  const markerTokens = counter.count(`\n${cutMarker(total, total)}`);
  const share = Math.max(0, budget - markerTokens * references.length) / total;
  const cuts = tokens.map((n, reference) => ({ reference, tokens: n, keptTokens: Math.floor(n * share) }));
  return {
    references: references.map((text, i) => {
      const { tokens: n, keptTokens } = cuts[i] as ReferenceCut;
      return `${counter.truncate(text, keptTokens).trimEnd()}\n${cutMarker(n - keptTokens, n)}`;
    }),
    cuts,
  };
}
