/**
 * What a failed call came to, whatever the provider and however its client wrapped the error, so that a
 * caller branches on it without parsing messages:
 *
 * - `context_overflow`: the input is longer than the model's context window (OpenAI's
 *   `context_length_exceeded`, LangChain's `ContextOverflowError`, Gemini's "input token count exceeds
 *   the maximum", Ollama's "exceeds the context length"); not retried.
 * - `rate_limited`: HTTP 429 (Gemini's `RESOURCE_EXHAUSTED`).
 * - `refused_key`: HTTP 401 or 403, or a key the provider calls invalid (Gemini answers 400 `API_KEY_INVALID`).
 * - `unknown_model`: HTTP 404, or the provider's `model_not_found`.
 * - `timeout`: a `MoATimeoutError` (`timeouts.*Ms`), the client's own timeout, or HTTP 408.
 * - `unreachable`: no connection, or a connection dropped (refused, unknown host, reset).
 * - `server_error`: HTTP 5xx.
 * - `bad_request`: any other HTTP 4xx.
 * - `other`: anything else (an answer that is not valid JSON, an abort, a model instance's own error).
 */
export type CallErrorKind =
  | "context_overflow"
  | "rate_limited"
  | "refused_key"
  | "unknown_model"
  | "timeout"
  | "unreachable"
  | "server_error"
  | "bad_request"
  | "other";

/** Every {@link CallErrorKind}. */
export const CALL_ERROR_KINDS: readonly CallErrorKind[] = Object.freeze([
  "context_overflow",
  "rate_limited",
  "refused_key",
  "unknown_model",
  "timeout",
  "unreachable",
  "server_error",
  "bad_request",
  "other",
]);

/** A failed call's error in a form that survives a checkpointer: its name, kind, status and code kept. */
export interface CallError {
  /** The thrown error's class name, e.g. `RateLimitError`, `ContextOverflowError`. */
  readonly name: string;
  /** One line naming the model, the cause and (for common causes) the fix; API keys masked. */
  readonly message: string;
  /** What the failure came to, read through the error's whole cause chain. */
  readonly kind: CallErrorKind;
  /** The HTTP status, when the provider answered with one (read through the cause chain as well). */
  readonly status?: number;
  /** The error code: a connection's (`ECONNREFUSED`) or the provider's (`context_length_exceeded`, `API_KEY_INVALID`). */
  readonly code?: string;
}
