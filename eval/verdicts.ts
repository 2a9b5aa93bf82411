/**
 * Reading a judge's verdict from its reply, as MT-Bench asks for it: `[[rating]]` (1-10) for single-answer
 * grading, `[[A]]`, `[[B]]` or `[[C]]` (a tie) for a pairwise comparison. A reply with no verdict, an
 * out-of-range rating, or two different verdicts cannot be read: the result is `undefined`, never a guess.
 */

/** A pairwise verdict: assistant A better, assistant B better, or a tie. */
export type PairwiseVerdict = "A" | "B" | "tie";

/** The 1-10 rating in `reply`, or `undefined` when there is none, it is out of range, or there are conflicting ones. */
export function parseRating(reply: string): number | undefined {
  // FastChat also reads a bare `[n]` anywhere; here only right after "Rating:", so that a citation or
  // an index such as `dp[1]` is never taken for a rating.
  const doubled = [...reply.matchAll(/\[\[(\d+(?:\.\d+)?)\]\]/g)].map((match) => Number(match[1]));
  const ratings = doubled.length > 0 ? doubled : [...reply.matchAll(/Rating:\s*\[(\d+(?:\.\d+)?)\]/gi)].map((match) => Number(match[1]));
  const distinct = new Set(ratings);
  if (distinct.size !== 1) return undefined;
  const [rating] = distinct;
  return rating !== undefined && rating >= 1 && rating <= 10 ? rating : undefined;
}

/** The pairwise verdict in `reply`, or `undefined` when there is none or it names more than one. */
export function parsePairwiseVerdict(reply: string): PairwiseVerdict | undefined {
  const found = new Set([...reply.matchAll(/\[\[([ABC])\]\]/g)].map((match) => match[1]));
  if (found.size !== 1) return undefined;
  const [verdict] = found;
  return verdict === "C" ? "tie" : (verdict as "A" | "B");
}

/** Single-answer grading: the rating, and the reminder a judge gets when its reply had none. */
export const RATING_FORMAT = {
  parse: parseRating,
  reminder: 'Your reply has no rating in the required format. Rate the response on a scale of 1 to 10, strictly in the format "[[rating]]", for example: "Rating: [[5]]".',
};

/** Pairwise comparison: the verdict, and the reminder a judge gets when its reply had none. */
export const PAIRWISE_FORMAT = {
  parse: parsePairwiseVerdict,
  reminder: 'Your reply has no final verdict in the required format. Output your final verdict strictly as "[[A]]" if assistant A is better, "[[B]]" if assistant B is better, and "[[C]]" for a tie.',
};
