/** The outcome of a vote among answers, by their total similarity to the others. */
export interface VoteCount {
  /** The winner's position (0-based): the highest total, the earliest in proposer order on a tie. */
  readonly winner: number;
  /** Each answer's total similarity to the other answers, in order. */
  readonly scores: readonly number[];
}

/**
 * Votes among answers with their similarity `matrix`: each answer scores its summed similarity to the
 * others, and the highest score wins, ties going to the earliest answer ("More Agents Is All You Need",
 * Li et al. 2024: with exact matching, a majority vote).
 */
export function countVotes(matrix: readonly (readonly number[])[]): VoteCount {
  const scores = matrix.map((row, i) => row.reduce((sum, score, j) => (i === j ? sum : sum + score), 0));
  const winner = scores.reduce((best, score, i) => (score > (scores[best] ?? -Infinity) ? i : best), 0);
  return { winner, scores };
}

/** Whether every pair of answers is at least `threshold` alike (a single answer agrees with itself). */
export function allAgree(matrix: readonly (readonly number[])[], threshold: number): boolean {
  return matrix.every((row, i) => row.every((score, j) => i === j || score >= threshold));
}
