/**
 * Percentile bootstrap confidence intervals. Resampling is by question (a cluster of its turns), because
 * the turns of one conversation are not independent: a weak first answer drags the second.
 */
import { quantile } from "../tools/quantile.js";
import { seeded } from "../tools/seeded-random.js";

/** A mean with its confidence interval. */
export interface Interval {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
  /** Values the mean is over. */
  readonly n: number;
}

/** Bootstrap settings; the defaults give reproducible 95 % intervals. */
export interface BootstrapOptions {
  /** Resamples drawn (default 2000). */
  readonly resamples?: number;
  /** Confidence level (default 0.95). */
  readonly level?: number;
  /** Seed of the resampling, so that a report can be reproduced (default 1). */
  readonly seed?: number;
}

/**
 * The mean of all values in `clusters`, with a percentile bootstrap interval over resampled clusters.
 * Empty clusters are dropped; with no values the result is NaN with n = 0.
 */
export function bootstrapMean(clusters: ReadonlyArray<readonly number[]>, options: BootstrapOptions = {}): Interval {
  const groups = clusters.filter((cluster) => cluster.length > 0);
  const n = groups.reduce((sum, cluster) => sum + cluster.length, 0);
  if (n === 0) return { mean: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 };
  const mean = meanOf(groups);
  const { resamples = 2000, level = 0.95, seed = 1 } = options;
  const random = seeded(seed);
  const means = Array.from({ length: resamples }, () => meanOf(Array.from({ length: groups.length }, () => groups[Math.floor(random() * groups.length)] as readonly number[])));
  const tail = (1 - level) / 2;
  return { mean, low: quantile(means, tail), high: quantile(means, 1 - tail), n };
}

function meanOf(clusters: ReadonlyArray<readonly number[]>): number {
  let sum = 0;
  let count = 0;
  for (const cluster of clusters) {
    for (const value of cluster) sum += value;
    count += cluster.length;
  }
  return sum / count;
}
