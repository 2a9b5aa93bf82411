import { quantile } from "../tools/quantile.js";

/** The median of `values`. */
export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** A log-normal sample with the given median and shape `sigma` (Box–Muller on `random`). */
export function logNormal(medianMs: number, sigma: number, random: () => number): number {
  const u = 1 - random();
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return medianMs * Math.exp(sigma * normal);
}

/** Process CPU time (user + system, all threads), in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Rounds for a report. */
export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));

/**
 * The 95 % interval of `sum(a) / sum(b)` over paired samples (`a[i]` and `b[i]` measured side by side),
 * by the percentile bootstrap: 2,000 resamples of the pairs, drawn with `random`.
 */
export function ratioInterval(a: readonly number[], b: readonly number[], random: () => number): [number, number] {
  const ratios = Array.from({ length: 2000 }, () => {
    let sumA = 0;
    let sumB = 0;
    for (let i = 0; i < a.length; i++) {
      const pick = Math.floor(random() * a.length);
      sumA += a[pick] ?? 0;
      sumB += b[pick] ?? 0;
    }
    return sumA / sumB;
  });
  return [quantile(ratios, 0.025), quantile(ratios, 0.975)];
}
