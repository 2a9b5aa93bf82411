/**
 * Sentence BLEU (Papineni et al. 2002) of `candidate` against one `reference`: the geometric mean of the
 * modified 1- to 4-gram precisions, times the brevity penalty. Words are lower-cased runs of letters and
 * digits. The precisions of n > 1 are smoothed by adding one to their counts (Lin and Och 2004, "method
 * 2"), so that two short answers sharing words do not score 0 for lack of a common 4-gram.
 * Returns a number from 0 to 1 (1 for identical word sequences).
 */
export function sentenceBleu(reference: string, candidate: string, maxN = 4): number {
  const ref = words(reference);
  const hyp = words(candidate);
  if (hyp.length === 0 || ref.length === 0) return ref.length === hyp.length ? 1 : 0;
  let logPrecisions = 0;
  for (let n = 1; n <= maxN; n++) {
    const hypGrams = ngrams(hyp, n);
    const refGrams = ngrams(ref, n);
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
  return brevity * Math.exp(logPrecisions / maxN);
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const gram = tokens.slice(i, i + n).join(" ");
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  return counts;
}
