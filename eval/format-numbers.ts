/** Number formats shared by the verdict sentence, the Markdown report and the progress line. */

/** `+0.42` or `−0.42` (a true minus sign). */
export const signed = (value: number): string => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(2)}`;

/** `7.0×`. */
export const times = (value: number): string => `${value.toFixed(1)}×`;

/** A fraction as a percentage with `digits` decimals: `42.5 %`. */
export const percent = (value: number, digits = 0): string => `${(value * 100).toFixed(digits)} %`;

/** A duration as `4.2 s`, `3m 05s` or `1h 02m`. */
export function duration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(whole / 3600)}h ${String(Math.floor((whole % 3600) / 60)).padStart(2, "0")}m`;
}
