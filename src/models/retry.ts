import { causeChain, someCause, statusOf, type ErrorFacts } from "./error-facts.js";
import { errorKindOf } from "./error-kind.js";

/** How failed model calls are retried. */
export interface RetryOptions {
  /** Retries after the first attempt. Default 2; 0 turns retrying off. */
  maxRetries?: number;
  /** Delay before the first retry, doubled each time (with jitter). Default 500 ms. */
  initialDelayMs?: number;
  /** Longest delay between attempts, also the cap on a server's `Retry-After`. Default 30 s. */
  maxDelayMs?: number;
}

/** {@link RetryOptions} with every field set. */
export type RetryPolicy = Required<RetryOptions>;

/** The default retry policy. */
export const DEFAULT_RETRY: RetryPolicy = Object.freeze({ maxRetries: 2, initialDelayMs: 500, maxDelayMs: 30_000 });

const RETRYABLE_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "EAI_AGAIN"]);

/** The `ollama` client's error for a stream that ended before its `done` line (a cut connection). */
const OLLAMA_CUT_STREAM = /^Did not receive done or success response in stream/;

/**
 * True for failures worth another attempt: HTTP 408, 409, 429 and 5xx, dropped connections, and answers
 * whose stream was cut before their finish reason (`IncompleteAnswerError`). The
 * status is read through the cause chain (a client's wrapper may hold it in `cause`); no other 4xx is
 * retried, and neither is a context overflow, whatever its status: the same input overflows again.
 */
export function isRetryable(error: unknown): boolean {
  if (errorKindOf(error) === "context_overflow") return false;
  const status = statusOf(error);
  if (status !== undefined) return status === 408 || status === 409 || status === 429 || status >= 500;
  return someCause(
    error,
    ({ code, name, message }) =>
      (typeof code === "string" && RETRYABLE_CODES.has(code)) || name === "APIConnectionError" || name === "IncompleteAnswerError" || (typeof message === "string" && OLLAMA_CUT_STREAM.test(message)),
  );
}

/**
 * How long to wait before retry number `retry` (1-based): the server's `retry-after-ms` (milliseconds,
 * sent by Azure OpenAI and read first by openai-node), `Retry-After` (seconds or an HTTP date) or Gemini's
 * `RetryInfo.retryDelay` when given, else exponential backoff with jitter; never more than `maxDelayMs`.
 */
export function retryDelayMs(error: unknown, retry: number, policy: RetryPolicy, now = Date.now()): number {
  const asked = serverDelayMs(error, now);
  const backoff = policy.initialDelayMs * 2 ** (retry - 1) * (0.75 + Math.random() * 0.5);
  return Math.min(policy.maxDelayMs, Math.max(0, asked ?? backoff));
}

/** The delay the server asked for, from the error or the first of its causes that carries one. */
function serverDelayMs(error: unknown, now: number): number | undefined {
  for (const facts of causeChain(error)) {
    const asked = askedDelayMs(facts, now);
    if (asked !== undefined) return asked;
  }
  return undefined;
}

function askedDelayMs({ headers, errorDetails }: ErrorFacts, now: number): number | undefined {
  // A value that is not a wait (empty, negative, a date past) is no answer: the backoff applies. A huge one is capped.
  const retryAfterMs = waitMs(headerValue(headers, "retry-after-ms"), 1);
  if (retryAfterMs !== undefined) return retryAfterMs;
  const retryAfter = headerValue(headers, "retry-after");
  const seconds = waitMs(retryAfter, 1000);
  if (seconds !== undefined) return seconds;
  const date = retryAfter === undefined ? Number.NaN : Date.parse(retryAfter);
  if (Number.isFinite(date) && date >= now) return date - now;
  if (Array.isArray(errorDetails)) {
    const info = errorDetails.find((d: { "@type"?: string }) => d?.["@type"]?.endsWith("google.rpc.RetryInfo")) as { retryDelay?: string } | undefined;
    const seconds = info?.retryDelay ? Number.parseFloat(info.retryDelay) : Number.NaN;
    if (Number.isFinite(seconds)) return seconds * 1000;
  }
  return undefined;
}

/** `value` (a number of `unit` milliseconds) in milliseconds, when it is a number of them that is not negative. */
function waitMs(value: string | undefined, unit: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const amount = Number(value);
  return Number.isNaN(amount) || amount < 0 ? undefined : amount * unit;
}

function headerValue(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== "object") return undefined;
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === "string" ? value : undefined;
}
