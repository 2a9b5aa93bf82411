/**
 * Typed errors of langgraph-moa. Each has a stable `name` and a static `isInstance` that works across
 * package copies (it checks a global symbol, not the prototype chain), so a caller can branch on them
 * without parsing messages.
 */

import { statusOf } from "./models/error-facts.js";
import { errorKindOf } from "./models/error-kind.js";
import { redactSecrets } from "./models/redact-secrets.js";
import { CALL_ERROR_KINDS, type CallErrorKind } from "./state/call-error.js";

export type { CallErrorKind };

const MARKER = Symbol.for("langgraph-moa.error");

/** The base of every error this package throws on purpose. */
export class MoAError extends Error {
  /** Set on every MoA error so `isInstance` works across bundles and package copies. */
  readonly [MARKER] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MoAError";
  }

  /** True when `error` is any langgraph-moa error. */
  static isInstance(error: unknown): error is MoAError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Invalid options or input: thrown at construction (or when a turn starts), naming the option and what is valid. */
export class MoAConfigError extends MoAError {
  /** The option (or input) that is wrong, as a path such as `proposers[2].samples`. */
  readonly option: string;

  constructor(option: string, message: string, options?: { cause?: unknown }) {
    // A key given in the wrong place (as a model string, say) must not come back in the message.
    super(`Invalid ${option}: ${redactSecrets(message)}`, options);
    this.name = "MoAConfigError";
    this.option = option;
  }

  /** True when `error` is a {@link MoAConfigError}. */
  static override isInstance(error: unknown): error is MoAConfigError {
    return MoAError.isInstance(error) && error.name === "MoAConfigError";
  }
}

/** A conversation a turn cannot start from (empty, or ending with the assistant's own message). */
export class MoAInputError extends MoAError {
  constructor(message: string) {
    super(message);
    this.name = "MoAInputError";
  }

  /** True when `error` is a {@link MoAInputError}. */
  static override isInstance(error: unknown): error is MoAInputError {
    return MoAError.isInstance(error) && error.name === "MoAInputError";
  }
}

/** Why one model call of a turn failed. */
export interface ModelFailure {
  /** The proposer id (or aggregator id) that failed. */
  readonly id: string;
  /** The 1-based layer, or `"aggregate"` for the aggregator. */
  readonly layer: number | "aggregate";
  /** The error the call failed with; its message names the model and the cause. */
  readonly error: Error;
  /**
   * What the failure came to (`"context_overflow"`, `"rate_limited"`, `"refused_key"`, `"timeout"`, ...;
   * see {@link CallErrorKind}), to branch on without parsing the message. Always set on the `failures`
   * of {@link ProposersFailedError} and {@link AggregatorFailedError}.
   */
  readonly kind?: CallErrorKind;
  /** The HTTP status the provider answered with, if it answered (read through the error's cause chain). */
  readonly status?: number;
}

/** A failure with its `kind` (and `status`, when there is one) filled in from its error where not given. */
function withKind(failure: ModelFailure): ModelFailure & { readonly kind: CallErrorKind } {
  const recorded = (failure.error as { kind?: unknown }).kind;
  const kind = failure.kind ?? (CALL_ERROR_KINDS.includes(recorded as CallErrorKind) ? (recorded as CallErrorKind) : errorKindOf(failure.error));
  const status = failure.status ?? statusOf(failure.error);
  return { ...failure, kind, ...(status !== undefined ? { status } : {}) };
}

/** Too few proposers of a layer answered (fewer than `minProposals`); carries each model's cause. */
export class ProposersFailedError extends MoAError {
  /** The layer that could not be completed (1-based). */
  readonly layer: number;
  /** One entry per proposer of that layer that failed, each with its `kind` and (when known) HTTP `status`. */
  readonly failures: readonly (ModelFailure & { readonly kind: CallErrorKind })[];

  constructor(layer: number, succeeded: number, required: number, failures: readonly ModelFailure[]) {
    const causes = failures.map((f) => f.error.message).join("; ");
    super(
      `Layer ${layer}: ${succeeded} proposal(s) succeeded, at least ${required} required (minProposals). Causes: ${causes}`,
      { cause: failures[0]?.error },
    );
    this.name = "ProposersFailedError";
    this.layer = layer;
    this.failures = failures.map(withKind);
  }

  /** True when `error` is a {@link ProposersFailedError}. */
  static override isInstance(error: unknown): error is ProposersFailedError {
    return MoAError.isInstance(error) && error.name === "ProposersFailedError";
  }
}

/** The aggregator (and every fallback aggregator) failed; carries each model's cause. */
export class AggregatorFailedError extends MoAError {
  /** One entry per aggregator tried, in order, each with its `kind` and (when known) HTTP `status`. */
  readonly failures: readonly (ModelFailure & { readonly kind: CallErrorKind })[];

  constructor(failures: readonly ModelFailure[]) {
    const causes = failures.map((f) => f.error.message).join("; ");
    super(`The aggregator failed. Causes: ${causes}`, { cause: failures.at(-1)?.error });
    this.name = "AggregatorFailedError";
    this.failures = failures.map(withKind);
  }

  /** True when `error` is an {@link AggregatorFailedError}. */
  static override isInstance(error: unknown): error is AggregatorFailedError {
    return MoAError.isInstance(error) && error.name === "AggregatorFailedError";
  }
}

/** A model call, or a whole turn, took longer than its timeout. */
export class MoATimeoutError extends MoAError {
  /** `call`: one model call (`timeouts.proposerMs` / `aggregatorMs`); `turn`: the whole turn (`timeouts.turnMs`). */
  readonly scope: "call" | "turn";
  /** The timeout that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(scope: "call" | "turn", timeoutMs: number) {
    super(scope === "turn" ? `The turn took longer than timeouts.turnMs (${timeoutMs} ms)` : `timed out after ${timeoutMs} ms`);
    this.name = "MoATimeoutError";
    this.scope = scope;
    this.timeoutMs = timeoutMs;
  }

  /** True when `error` is a {@link MoATimeoutError}. */
  static override isInstance(error: unknown): error is MoATimeoutError {
    return MoAError.isInstance(error) && error.name === "MoATimeoutError";
  }
}

/**
 * A turn started on a thread that another turn is still answering (two browser tabs, a retry that
 * overlaps its first try): a turn of any graph on the same checkpointer object, or of another process on
 * the same PostgreSQL database or SQLite file. The second turn fails at once, before any model call and
 * without touching the thread; send it again once the first has ended. Thrown by `invoke`, `stream` and
 * `streamEvents` of a graph with a checkpointer, for new input on a `thread_id`.
 */
export class MoAThreadBusyError extends MoAError {
  /** The thread that is busy. */
  readonly threadId: string;

  constructor(threadId: string) {
    super(`Thread "${threadId}" is busy answering another turn: send this one again once that turn has ended`);
    this.name = "MoAThreadBusyError";
    this.threadId = threadId;
  }

  /** True when `error` is a {@link MoAThreadBusyError}. */
  static override isInstance(error: unknown): error is MoAThreadBusyError {
    return MoAError.isInstance(error) && error.name === "MoAThreadBusyError";
  }
}

/**
 * Why a model file could not be had ({@link MoAModelFileError.reason}):
 * - `missing_file`: a local path that does not exist (or is not a file);
 * - `not_found`: the hub (or the server of a URL) answered 404: no such repo, file or quantization;
 * - `offline`: the server could not be reached and no copy is in the models directory;
 * - `stalled`: a download received no bytes for too long (the partial file is kept: call again to resume);
 * - `not_writable`: the models directory cannot be written to (it is a file, read-only, or not ours): the
 *   message names it; fix it or choose another directory (`MOA_MODELS_DIR`);
 * - `no_space`: the models directory has too little free space for the file (the message says how much
 *   is needed and free; a partial file is kept: free space and call again to resume);
 * - `failed`: any other download failure (another HTTP status, a file cut short, ...).
 */
export type ModelFileErrorReason = "missing_file" | "not_found" | "offline" | "stalled" | "not_writable" | "no_space" | "failed";

/**
 * The file of an embedded (`llama-cpp:`) model could not be had. The message names the model, the URL
 * tried and what to do; the fields carry the same for a caller that branches without parsing it.
 */
export class MoAModelFileError extends MoAError {
  /** The model as given: a path, a URL or an `hf:` URI. */
  readonly model: string;
  /** What went wrong; see {@link ModelFileErrorReason}. */
  readonly reason: ModelFileErrorReason;
  /** The URL tried (a manifest or file URL on the hub, `HF_ENDPOINT` applied), when one was. */
  readonly url: string | undefined;
  /** The local path looked at (`missing_file`), or where a copy of the file would be found (others), when known. */
  readonly path: string | undefined;
  /** The HTTP status answered, when the server answered. */
  readonly status: number | undefined;

  constructor(
    details: { model: string; reason: ModelFileErrorReason; url?: string; path?: string; status?: number },
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MoAModelFileError";
    this.model = details.model;
    this.reason = details.reason;
    this.url = details.url;
    this.path = details.path;
    this.status = details.status;
  }

  /** True when `error` is a {@link MoAModelFileError}. */
  static override isInstance(error: unknown): error is MoAModelFileError {
    return MoAError.isInstance(error) && error.name === "MoAModelFileError";
  }
}

/**
 * A one-line description of any thrown value, for error messages and traces. Only the first line of a
 * message is kept: some add paragraphs (LangChain's "Troubleshooting URL: …").
 */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
  return text.split("\n").find((line) => line.trim() !== "")?.trim() ?? text;
}
