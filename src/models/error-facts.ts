/** The fields of an error and of its causes that tell what went wrong. */
export interface ErrorFacts {
  readonly code?: unknown;
  readonly name?: unknown;
  readonly message?: unknown;
  readonly status?: unknown;
  /** Ollama's client names the HTTP status `status_code`. */
  readonly status_code?: unknown;
  /** Gemini's client keeps the error body's `details` (`google.rpc.RetryInfo`, `google.rpc.ErrorInfo`). */
  readonly errorDetails?: unknown;
  /** The response's headers (`Retry-After`), as the OpenAI SDK keeps them. */
  readonly headers?: unknown;
}

/** How deep causes are followed: a client's wrapper (LangChain's) around the SDK's error around the socket's. */
const MAX_DEPTH = 5;

/** `error` and its causes, outermost first. */
export function causeChain(error: unknown): ErrorFacts[] {
  const chain: ErrorFacts[] = [];
  for (let current = error; current !== null && typeof current === "object" && chain.length < MAX_DEPTH; ) {
    chain.push(current as ErrorFacts);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/** True when `error`, or one of its causes, satisfies `test`. */
export function someCause(error: unknown, test: (facts: ErrorFacts) => boolean): boolean {
  return causeChain(error).some(test);
}

/**
 * The HTTP status of a provider's error (`status`, or `status_code` as Ollama's client names it), from
 * the error or, when a client wrapped it (LangChain's `ContextOverflowError` keeps OpenAI's 400 in
 * `cause`), from the first cause that has one.
 */
export function statusOf(error: unknown): number | undefined {
  for (const facts of causeChain(error)) {
    const value = facts.status ?? facts.status_code;
    if (typeof value === "number" && Number.isInteger(value) && value >= 100 && value <= 599) return value;
  }
  return undefined;
}

/**
 * The error code, from the error or its first cause that has one: a connection's (`ECONNREFUSED`),
 * OpenAI's `error.code` (`context_length_exceeded`, `invalid_api_key`, `model_not_found`), or the
 * `reason` of Gemini's `google.rpc.ErrorInfo` detail (`API_KEY_INVALID`).
 */
export function codeOf(error: unknown): string | undefined {
  for (const facts of causeChain(error)) {
    const [code] = codesOf(facts);
    if (code !== undefined) return code;
  }
  return undefined;
}

/** The string codes of one error: its `code`, then the `reason` of each of Gemini's `ErrorInfo` details. */
export function codesOf({ code, errorDetails }: ErrorFacts): string[] {
  const codes = typeof code === "string" && code !== "" ? [code] : [];
  if (!Array.isArray(errorDetails)) return codes;
  for (const detail of errorDetails as unknown[]) {
    const { "@type": type, reason } = (detail ?? {}) as { "@type"?: unknown; reason?: unknown };
    if (typeof type === "string" && type.endsWith("google.rpc.ErrorInfo") && typeof reason === "string") codes.push(reason);
  }
  return codes;
}

/** The message of `facts`, or "" when it has none. */
export function messageOf(facts: ErrorFacts): string {
  return typeof facts.message === "string" ? facts.message : "";
}
