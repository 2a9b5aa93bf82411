/** A text as sentence BLEU reads it: its words and their n-gram counts, computed once per text. */
export interface BleuText {
  readonly length: number;
  /** The counts of its n-grams, for n = 1..4 (index n - 1). */
  readonly ngrams: readonly ReadonlyMap<string, number>[];
}

const MAX_N = 4;

/** `text`'s words (lower-cased runs of letters and digits) and their 1- to 4-gram counts. */
export function bleuText(text: string): BleuText {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return { length: words.length, ngrams: Array.from({ length: MAX_N }, (_, i) => ngrams(words, i + 1)) };
}

/**
 * Sentence BLEU (Papineni et al. 2002) of `candidate` against one `reference`: the geometric mean of the
 * modified 1- to 4-gram precisions, times the brevity penalty. The precisions of n > 1 are smoothed by
 * adding one to their counts (Lin and Och 2004, "method 2"), so that two short answers sharing words do
 * not score 0 for lack of a common 4-gram. Returns a number from 0 to 1 (1 for the same word sequence).
 */
export function sentenceBleu(reference: BleuText | string, candidate: BleuText | string): number {
  const ref = typeof reference === "string" ? bleuText(reference) : reference;
  const hyp = typeof candidate === "string" ? bleuText(candidate) : candidate;
  if (hyp.length === 0 || ref.length === 0) return ref.length === hyp.length ? 1 : 0;
  let logPrecisions = 0;
  for (let n = 1; n <= MAX_N; n++) {
    const hypGrams = hyp.ngrams[n - 1] as ReadonlyMap<string, number>;
    const refGrams = ref.ngrams[n - 1] as ReadonlyMap<string, number>;
    let matched = 0;
    let total = 0;
    for (const [gram, count] of hypGrams) {
      matched += Math.min(count, refGrams.get(gram) ?? 0);
      total += count;
    }
    const smoothing = n === 1 ? 0 : 1;
    if (matched + smoothing === 0) return 0;
    logPrecisions += Math.log((matched + smoothing) / (total + smoothing));
  }
  const brevity = hyp.length >= ref.length ? 1 : Math.exp(1 - ref.length / hyp.length);
  return brevity * Math.exp(logPrecisions / MAX_N);
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(" ");
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}
