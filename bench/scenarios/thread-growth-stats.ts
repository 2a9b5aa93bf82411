/** Figures of the long-conversation benchmark drawn from per-turn series (index 0 = turn 1). */

/** The mean of `series` over turns `from` to `to` (1-based, inclusive). */
export function windowMean(series: readonly number[], [from, to]: readonly [number, number]): number {
  const values = series.slice(from - 1, to);
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The slope of the least-squares line through (turn, value) over the whole series: units per extra turn. */
export function slopePerTurn(series: readonly number[]): number {
  const n = series.length;
  if (n < 2) return Number.NaN;
  const meanTurn = (n + 1) / 2;
  const meanValue = series.reduce((sum, value) => sum + value, 0) / n;
  let covariance = 0;
  let variance = 0;
  series.forEach((value, i) => {
    covariance += (i + 1 - meanTurn) * (value - meanValue);
    variance += (i + 1 - meanTurn) ** 2;
  });
  return covariance / variance;
}
