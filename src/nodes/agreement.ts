import { similarityMatrix, similarityName } from "../agreement/similarity.js";
import { allAgree, countVotes } from "../agreement/vote.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { Proposal } from "../state/proposal.js";
import type { EarlyExit, VoteRecord } from "../state/trace.js";

/** A layer's proposals with text, in proposer order. */
export type Answered = Proposal & { readonly text: string };

/**
 * Whether `layer`'s proposals agree (`earlyExit`): at least two, every pair at least `threshold` alike.
 * When they do, the early exit to record, with the proposal that answers when `answer` (the aggregator
 * is skipped): the one most similar to the others, the earliest on a tie.
 */
export async function agreementOf(options: ResolvedMoAOptions, layer: number, proposals: readonly Answered[], answer: boolean): Promise<EarlyExit | undefined> {
  const rule = options.earlyExit;
  if (rule === undefined || proposals.length < 2) return undefined;
  const matrix = await similarityMatrix(proposals.map((p) => p.text), options.similarity);
  if (!allAgree(matrix, rule.threshold)) return undefined;
  const measure = options.similarity === "normalized_text" ? "normalized_text" : `${similarityName(options.similarity)} >= ${rule.threshold}`;
  const winner = proposals[countVotes(matrix).winner] as Answered;
  return {
    layer,
    reason: `the ${proposals.length} proposals of layer ${layer} agree (${measure})`,
    skippedLayers: options.layers - layer,
    ...(answer ? { answeredBy: winner.id } : {}),
  };
}

/** The vote among the last layer's proposals (`aggregation: "vote"`) and its winner. */
export async function voteAmong(options: ResolvedMoAOptions, proposals: readonly Answered[]): Promise<{ record: VoteRecord; winner: Answered }> {
  const matrix = await similarityMatrix(proposals.map((p) => p.text), options.similarity);
  const { winner, scores } = countVotes(matrix);
  const won = proposals[winner] as Answered;
  return {
    record: { similarity: similarityName(options.similarity), votes: proposals.map((p, i) => ({ id: p.id, score: Number((scores[i] ?? 0).toFixed(4)) })), winner: won.id },
    winner: won,
  };
}
