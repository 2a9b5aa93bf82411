/** The judge's 1-10 ratings of each system, as the best single model is picked and the report is drawn. */
import type { JudgementRecord } from "./records.js";

/** Ratings by system id, then by `question|turn`. */
export type Ratings = Map<string, Map<string, number>>;

/** The readable single-answer ratings in `judgements`, by system id, then by `question|turn`. */
export function ratingsBySystem(judgements: readonly JudgementRecord[]): Ratings {
  const bySystem: Ratings = new Map();
  for (const judgement of judgements) {
    const [system] = judgement.systems;
    if (judgement.kind !== "single" || system === undefined || typeof judgement.verdict !== "number") continue;
    if (!bySystem.has(system)) bySystem.set(system, new Map());
    bySystem.get(system)?.set(`${judgement.question}|${judgement.turn}`, judgement.verdict);
  }
  return bySystem;
}

/** The mean of `ratings`' values; NaN when there are none. */
export function meanRating(ratings: ReadonlyMap<string, number> | undefined): number {
  const values = [...(ratings?.values() ?? [])];
  return values.reduce((sum, rating) => sum + rating, 0) / values.length;
}
