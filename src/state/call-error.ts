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
