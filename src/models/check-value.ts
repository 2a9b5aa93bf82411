import { MoAConfigError } from "../errors.js";

/** Checks an optional number option; throws a {@link MoAConfigError} naming `option` when it is wrong. */
export function checkNumber(value: unknown, option: string, rule: { integer?: boolean; min: number }): void {
  if (value === undefined) return;
  const valid = typeof value === "number" && Number.isFinite(value) && value >= rule.min && (!rule.integer || Number.isInteger(value));
  if (!valid) {
    throw new MoAConfigError(option, `expected ${rule.integer ? "an integer" : "a number"} >= ${rule.min}; got ${kindOf(value)}`);
  }
}

/** Describes a value for an error message without dumping it. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "object" ? "an object" : typeof value;
}
