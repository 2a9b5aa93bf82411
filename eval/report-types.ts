/** The evaluation report as written to `report.json`; the Markdown and the chart are drawn from it. */
import type { Interval } from "./bootstrap.js";
import type { MixtureDescription } from "./describe-mixture.js";
import type { FailureRecord } from "./records.js";

/** What a system's (or the judge's) calls cost over the run. */
export interface CostSummary {
  /** Answers (or verdicts) obtained. */
  readonly answers: number;
  /** Model calls made for them. */
  readonly calls: number;
  /** Input tokens; null when a provider reported none for some call. */
  readonly inputTokens: number | null;
  /** Output tokens; null when a provider reported none for some call. */
  readonly outputTokens: number | null;
  /** Of the input tokens, those served from prompt caches, as far as providers reported them. */
  readonly cachedTokens?: number;
  /** Of the output tokens, the reasoning tokens, as far as providers reported them. */
  readonly reasoningTokens?: number;
  /** Summed wall time of the answers in milliseconds (answers run concurrently, so not the run's duration). */
  readonly wallMs: number;
  /**
   * What the answers cost at the models' prices (`price` on a model spec), in the prices' currency, summed
   * over the calls that had a cost; absent when none had one.
   */
  readonly cost?: number;
  /**
   * Of `answers`, those whose cost is not wholly in `cost` (a call without a price or without usage, or an
   * answer cached before its models had prices): `cost` is then a lower bound. Present with `cost` only.
   */
  readonly uncosted?: number;
}

/** One system's ratings and cost. */
export interface SystemSummary {
  readonly id: string;
  readonly label: string;
  readonly kind: "moa" | "single";
  /** Mean rating (1-10) over every rated turn. */
  readonly score: Interval;
  /** Mean rating of each turn position (first turn, second turn, ...). */
  readonly turns: readonly Interval[];
  /** Mean rating per question category. */
  readonly categories: Readonly<Record<string, Interval>>;
  /** Turns whose rating the judge gave in no readable form. */
  readonly unreadable: number;
  /** Turns with no rating because the answer or the judge call failed. */
  readonly missing: number;
  /** Answers written although some of their model calls failed (an MoA without a failed proposer). */
  readonly degraded: number;
  readonly cost: CostSummary;
}

/** The MoA against the best single model, both orders per turn. */
export interface PairwiseSummary {
  /** The single model's label. */
  readonly opponent: string;
  /** Turns with a verdict from both orders. */
  readonly compared: number;
  readonly wins: number;
  readonly ties: number;
  readonly losses: number;
  /** Turns where the two orders disagreed (counted as ties, as MT-Bench does). */
  readonly inconsistent: number;
  readonly winRate: Interval;
  readonly lossRate: Interval;
  /** Wins plus half the ties, over all compared turns. */
  readonly adjustedWinRate: Interval;
  /** Turns left out because a verdict could not be read. */
  readonly unreadable: number;
  /** Turns left out because an answer or a judge call failed. */
  readonly missing: number;
}

/** The MoA's cost as a multiple of the best single model's. */
export interface CostRatio {
  readonly calls: number;
  /** Input plus output tokens; null when a provider reported no tokens. */
  readonly tokens: number | null;
  readonly wallTime: number;
}

/** The whole report. */
export interface EvalReport {
  /** `MT-Bench`, or the question file's name. */
  readonly questionSet: string;
  readonly questions: number;
  readonly turns: number;
  readonly categories: readonly string[];
  readonly judge: { readonly label: string; readonly cost: CostSummary; readonly unreadable: number };
  /** The MoA evaluated: its proposers, aggregators and layers (no keys), so two reports can be told apart. */
  readonly mixture?: MixtureDescription;
  readonly systems: readonly SystemSummary[];
  /** The single model with the best mean rating, which the MoA was compared with. */
  readonly bestSingle?: string;
  /** MoA minus best single, per question, over turns both had rated. */
  readonly difference?: Interval;
  readonly pairwise?: PairwiseSummary;
  readonly costRatio?: CostRatio;
  /** One sentence: did the mixture pay for itself? */
  readonly verdict: string;
  readonly failures: readonly FailureRecord[];
  /** The verdicts this run could not read from the judge's reply: left out, not cached, asked again by the next run. */
  readonly unreadableVerdicts: readonly UnreadableVerdict[];
  readonly bootstrap: { readonly resamples: number; readonly level: number; readonly seed: number; readonly unit: "question" };
}

/** A verdict the judge gave no readable form of, after every attempt. */
export interface UnreadableVerdict {
  readonly kind: "single" | "pairwise";
  /** The system graded, or assistants A and B in the order shown, by label. */
  readonly systems: readonly string[];
  readonly question: string;
  readonly turn: number;
  /** Judge calls made for it. */
  readonly attempts: number;
  /** The judge's last reply, on one line, shortened. */
  readonly reply: string;
}
