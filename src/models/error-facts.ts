/** The HTTP status a provider's error carries (`status`, or `status_code` as Ollama's client names it). */
export function statusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { status, status_code: statusCode } = error as { status?: unknown; status_code?: unknown };
  const value = status ?? statusCode;
  return typeof value === "number" ? value : undefined;
}

/** The fields of an error and of its causes that tell a dropped connection. */
interface ErrorFacts {
  readonly code?: unknown;
  readonly name?: unknown;
  readonly message?: unknown;
}

/** True when `error`, or one of its first few causes, satisfies `test`. */
export function someCause(error: unknown, test: (facts: ErrorFacts) => boolean): boolean {
  for (let current = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    if (test(current as ErrorFacts)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
