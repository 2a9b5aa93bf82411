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

/** References, shortened where they had to be, and what was cut. */
export interface ShortenedReferences {
  references: string[];
  cuts: ReferenceCut[];
}

/** The visible note that ends a shortened reference. */
export function cutMarker(cut: number, tokens: number): string {
  return `[… ${cut} of ${tokens} tokens cut to fit the model's input limit]`;
}

/**
 * `references` shortened in proportion to their lengths, so that together, with the marker each ends
 * with, they take at most `budget` tokens: each keeps the same share of its tokens, cut at the end.
 * References that fit already are returned as they are, with no cuts. Counted and cut at once: for
 * long references, {@link shortenReferencesInSlices}.
 */
export function shortenReferences(references: readonly string[], budget: number, counter: TokenCounter): ShortenedReferences {
  const tokens = references.map((text) => counter.count(text));
  const cuts = proportionalCuts(tokens, budget, counter);
  if (cuts === undefined) return { references: [...references], cuts: [] };
  return { references: references.map((text, i) => withMarker(counter.truncate(text, (cuts[i] as ReferenceCut).keptTokens), cuts[i] as ReferenceCut)), cuts };
}

/** {@link shortenReferences}, counting and cutting in slices of the event loop (and the counts remembered per text). */
export async function shortenReferencesInSlices(references: readonly string[], budget: number, counter: TokenCounter): Promise<ShortenedReferences> {
  const tokens: number[] = [];
  for (const text of references) tokens.push(await counter.countUpTo(text, Infinity));
  const cuts = proportionalCuts(tokens, budget, counter);
  if (cuts === undefined) return { references: [...references], cuts: [] };
  const shortened: string[] = [];
  for (const [i, text] of references.entries()) {
    const cut = cuts[i] as ReferenceCut;
    shortened.push(withMarker(await counter.truncateInSlices(text, cut.keptTokens), cut));
  }
  return { references: shortened, cuts };
}

/** The cut of each reference of `tokens` so that they fit `budget` with their markers; undefined when they fit whole. */
function proportionalCuts(tokens: readonly number[], budget: number, counter: TokenCounter): ReferenceCut[] | undefined {
  const total = tokens.reduce((sum, n) => sum + n, 0);
  if (total <= budget) return undefined;
  const markerTokens = counter.count(`\n${cutMarker(total, total)}`);
  const share = Math.max(0, budget - markerTokens * tokens.length) / total;
  return tokens.map((n, reference) => ({ reference, tokens: n, keptTokens: Math.floor(n * share) }));
}

function withMarker(kept: string, { tokens, keptTokens }: ReferenceCut): string {
  return `${kept.trimEnd()}\n${cutMarker(tokens - keptTokens, tokens)}`;
}
