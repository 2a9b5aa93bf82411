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
