import { statusOf } from "../models/error-facts.js";
import type { ModelSlot } from "../models/model-slots.js";

/** A failed call's error in a form that survives a checkpointer: its name, status and code kept. */
export interface CallError {
  /** The thrown error's class name, e.g. `RateLimitError`. */
  readonly name: string;
  /** One line naming the model, the cause and (for common causes) the fix; API keys masked. */
  readonly message: string;
  /** The HTTP status, when the provider answered with one. */
  readonly status?: number;
  /** The error code (e.g. `ECONNREFUSED`), when there was one. */
  readonly code?: string;
}

/** Records why `slot`'s call failed, explained and with secrets masked by `redact`. */
export function toCallError(error: unknown, slot: ModelSlot, redact: (text: string) => string): CallError {
  const { code } = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown };
  const status = statusOf(error);
  return {
    name: error instanceof Error ? error.name : "Error",
    message: redact(slot.explainError(error)),
    ...(status !== undefined ? { status } : {}),
    ...(typeof code === "string" ? { code } : {}),
  };
}

/** The recorded error as an `Error` again (for the `failures` of a thrown MoA error). */
export function fromCallError(recorded: CallError): Error {
  return Object.assign(new Error(recorded.message), recorded);
}
