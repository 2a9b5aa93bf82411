import { MoATimeoutError } from "../errors.js";

/** When a turn must be done: the deadline (epoch ms), the turn timeout it comes from (ms), and the turn's id. */
export interface TurnDeadline {
  readonly at: number;
  readonly turnMs: number;
  readonly turnId: string;
}

/** The deadline of the turn `turn` (its state's `deadline` and `turnId`), when `timeouts.turnMs` set one. */
export function turnDeadline(turnMs: number | undefined, turn: { readonly deadline: number | null; readonly turnId: string }): TurnDeadline | undefined {
  return turn.deadline === null || turnMs === undefined ? undefined : { at: turn.deadline, turnMs, turnId: turn.turnId };
}

/** The one error each turn with a deadline ends with, by turn id, with the deadline (epoch ms). */
const errors = new Map<string, { readonly error: MoATimeoutError; readonly at: number }>();

/** How long an error is kept after its deadline: longer than any call outlives its turn. */
const KEEP_MS = 60_000;

/**
 * The `MoATimeoutError` of the turn `turnId`, whose deadline is `at` (epoch ms): the same object for every
 * call it cuts short. A layer's calls all reach the deadline at once, and LangGraph reports several
 * different errors of one step as an `AggregateError`; one error object is reported as itself.
 */
export function turnTimeoutError({ turnId, at, turnMs }: TurnDeadline): MoATimeoutError {
  const known = errors.get(turnId);
  if (known !== undefined) return known.error;
  const horizon = Date.now() - KEEP_MS;
  for (const [id, entry] of errors) if (entry.at < horizon) errors.delete(id);
  const error = new MoATimeoutError("turn", turnMs);
  errors.set(turnId, { error, at });
  return error;
}
