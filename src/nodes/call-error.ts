import type { CallError } from "../state/call-error.js";
import { statusOf } from "../models/error-facts.js";
import type { ModelSlot } from "../models/model-slots.js";

export type { CallError };

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
