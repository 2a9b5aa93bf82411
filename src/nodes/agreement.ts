import { MoAConfigError, MoAError } from "../errors.js";
import { similarityMatrix, similarityName } from "../agreement/similarity.js";
import { allAgree, countVotes } from "../agreement/vote.js";
import { turnDeadline, type TurnDeadline } from "../models/turn-timeout.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { MoAState } from "../state/state.js";
import type { Proposal } from "../state/proposal.js";
import type { EarlyExit, VoteRecord } from "../state/trace.js";
import { bounded, untilAborted } from "./call-model.js";

/** A layer's proposals with text, in proposer order. */
export type Answered = Proposal & { readonly text: string };

/** What bounds the comparison of a turn's proposals: the turn's deadline (`timeouts.turnMs`) and its abort signal. */
export interface TurnBounds {
  readonly deadline?: TurnDeadline;
  readonly signal?: AbortSignal;
}

/** The bounds of the turn `state` belongs to. */
export function turnBounds(options: Pick<ResolvedMoAOptions, "timeouts">, state: Pick<MoAState, "deadline" | "turnId">, config: { signal?: AbortSignal }): TurnBounds {
  return { deadline: turnDeadline(options.timeouts.turnMs, state), signal: config.signal };
}

/**
 * The similarity matrix of `texts` by `options.similarity`, given up at the turn's deadline (a turn
 * `MoATimeoutError`) or abort, as a model call is. What the similarity throws becomes a `MoAConfigError`
 * naming `similarity`.
 */
async function compare(options: ResolvedMoAOptions, texts: readonly string[], { deadline, signal }: TurnBounds): Promise<number[][]> {
  const compared = similarityMatrix(texts, options.similarity).catch((error: unknown) => {
    if (MoAError.isInstance(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new MoAConfigError("similarity", `failed comparing ${texts.length} proposals: ${message}`, { cause: error });
  });
  if (deadline === undefined && signal === undefined) return compared;
  const bound = bounded(signal, undefined, deadline);
  try {
    return await untilAborted(compared, bound.signal);
  } finally {
    bound.clear();
  }
}

/**
 * Whether `layer`'s proposals agree (`earlyExit`): at least two, every pair at least `threshold` alike.
 * When they do, the early exit to record, with the proposal that answers when `answer` (the aggregator
 * is skipped): the one most similar to the others, the earliest on a tie.
 */
export async function agreementOf(options: ResolvedMoAOptions, layer: number, proposals: readonly Answered[], answer: boolean, bounds: TurnBounds): Promise<EarlyExit | undefined> {
  const rule = options.earlyExit;
  if (rule === undefined || proposals.length < 2) return undefined;
  const matrix = await compare(options, proposals.map((p) => p.text), bounds);
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
export async function voteAmong(options: ResolvedMoAOptions, proposals: readonly Answered[], bounds: TurnBounds): Promise<{ record: VoteRecord; winner: Answered }> {
  const matrix = await compare(options, proposals.map((p) => p.text), bounds);
  const { winner, scores } = countVotes(matrix);
  const won = proposals[winner] as Answered;
  return {
    record: { similarity: similarityName(options.similarity), votes: proposals.map((p, i) => ({ id: p.id, score: Number((scores[i] ?? 0).toFixed(4)) })), winner: won.id },
    winner: won,
  };
}
