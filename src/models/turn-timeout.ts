import { MoATimeoutError } from "../errors.js";

/** Turn deadlines (epoch ms) and the one error each ends its turn with. */
const errors = new Map<number, MoATimeoutError>();

/** How long an error is kept after its deadline: longer than any call outlives its turn. */
const KEEP_MS = 60_000;

/**
 * The `MoATimeoutError` of the turn whose deadline is `at` (epoch ms), the same object for every call it
 * cuts short. A layer's calls all reach the deadline at once, and LangGraph reports several different
 * errors of one step as an `AggregateError`; one error object is reported as itself.
 */
export function turnTimeoutError(at: number, turnMs: number): MoATimeoutError {
  const known = errors.get(at);
  if (known !== undefined) return known;
  const horizon = Date.now() - KEEP_MS;
  for (const deadline of errors.keys()) if (deadline < horizon) errors.delete(deadline);
  const error = new MoATimeoutError("turn", turnMs);
  errors.set(at, error);
  return error;
}
