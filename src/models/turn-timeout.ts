import { MoATimeoutError } from "../errors.js";

/** The one error each turn with a deadline ends with, by turn id, with the deadline (epoch ms). */
const errors = new Map<string, { readonly error: MoATimeoutError; readonly at: number }>();

/** How long an error is kept after its deadline: longer than any call outlives its turn. */
const KEEP_MS = 60_000;

/**
 * The `MoATimeoutError` of the turn `turnId`, whose deadline is `at` (epoch ms): the same object for every
 * call it cuts short. A layer's calls all reach the deadline at once, and LangGraph reports several
 * different errors of one step as an `AggregateError`; one error object is reported as itself.
 */
export function turnTimeoutError({ turnId, at, turnMs }: { readonly turnId: string; readonly at: number; readonly turnMs: number }): MoATimeoutError {
  const known = errors.get(turnId);
  if (known !== undefined) return known.error;
  const horizon = Date.now() - KEEP_MS;
  for (const [id, entry] of errors) if (entry.at < horizon) errors.delete(id);
  const error = new MoATimeoutError("turn", turnMs);
  errors.set(turnId, { error, at });
  return error;
}
