/** What an evaluation run produces: answers, judgements and failures, as cached and as reported. */
import type { AnswerCost } from "./model-answer.js";
import type { PairwiseVerdict } from "./verdicts.js";

/** One system's answer to one turn of one question. */
export interface AnswerRecord {
  readonly system: string;
  readonly question: string;
  /** 1-based. */
  readonly turn: number;
  readonly text: string;
  readonly cost: AnswerCost;
  /** Model calls of the answer that failed (an MoA answer written without a proposer): such answers are not cached. */
  readonly failedCalls?: number;
}

/**
 * A judge's verdict on one turn: a 1-10 rating (single) or A/B/tie (pairwise); null when unreadable
 * (such a record is reported by its run, never cached).
 */
export interface JudgementRecord {
  readonly kind: "single" | "pairwise";
  /** The system graded (single), or assistants A and B in the order shown to the judge (pairwise). */
  readonly systems: readonly string[];
  readonly question: string;
  readonly turn: number;
  /** The benchmark prompt used, e.g. `single-math-v1-multi-turn`. */
  readonly prompt: string;
  readonly verdict: number | PairwiseVerdict | null;
  /** The judge's last reply, kept when no verdict could be read from it. */
  readonly unreadableReply?: string;
  /** Judge calls made for this verdict (more than one when a reply could not be read). */
  readonly attempts: number;
  readonly cost: AnswerCost;
}

/** A call that failed (not cached: the next run asks again). */
export interface FailureRecord {
  readonly stage: "answer" | "single" | "pairwise";
  readonly system: string;
  readonly question: string;
  readonly turn: number;
  /** One line naming the model and the cause. */
  readonly error: string;
}

/** Everything a run gathered, fresh or from the cache. */
export interface EvaluationRecords {
  readonly answers: AnswerRecord[];
  readonly judgements: JudgementRecord[];
  readonly failures: FailureRecord[];
  /** The single system the MoA was compared with pairwise, by id (the best mean rating). */
  readonly bestSingle?: string;
  /** True when the run was stopped before it finished. */
  readonly stopped: boolean;
  /** Why the run stopped by itself: its first calls all failed (a server down, a wrong model name); the first of `failures` says how. */
  readonly gaveUp?: string;
}
