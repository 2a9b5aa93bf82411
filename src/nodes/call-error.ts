import type { CallError } from "../state/call-error.js";
import { codeOf, statusOf } from "../models/error-facts.js";
import { errorKindOf } from "../models/error-kind.js";
import type { ModelSlot } from "../models/model-slots.js";

export type { CallError };

/**
 * Records why `slot`'s call failed, explained and with secrets masked by `redact`. Kind, status and
 * code are read through the error's cause chain, so a client's wrapper does not hide them.
 */
export function toCallError(error: unknown, slot: ModelSlot, redact: (text: string) => string): CallError {
  const status = statusOf(error);
  const code = codeOf(error);
  return {
    name: error instanceof Error ? error.name : "Error",
    message: redact(slot.explainError(error)),
    kind: errorKindOf(error),
    ...(status !== undefined ? { status } : {}),
    ...(code !== undefined ? { code } : {}),
  };
}

/** The recorded error as an `Error` again (for the `failures` of a thrown MoA error), with its `kind`, `status` and `code`. */
export function fromCallError(recorded: CallError): Error {
  return Object.assign(new Error(recorded.message), recorded);
}
