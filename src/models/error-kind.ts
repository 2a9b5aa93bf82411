import type { CallErrorKind } from "../state/call-error.js";
import { causeChain, codesOf, messageOf, statusOf, type ErrorFacts } from "./error-facts.js";

/** Node's and undici's codes of a connection that could not be made, or was dropped. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

/**
 * Errors of a call that ran out of time: the MoA's own, the `TimeoutError` that `@langchain/openai`
 * makes of the SDK's `APIConnectionTimeoutError` (and `AbortSignal.timeout`'s), undici's read timeouts.
 */
const TIMEOUT_NAMES = new Set(["MoATimeoutError", "TimeoutError", "APIConnectionTimeoutError"]);
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/**
 * How providers word a context overflow, for those that send no code: OpenAI-compatible servers (vLLM:
 * "maximum context length is …"), Gemini ("The input token count (…) exceeds the maximum number of
 * tokens allowed"), Ollama ("the input length exceeds the context length"), Anthropic ("prompt is too long").
 */
const CONTEXT_OVERFLOW_TEXT = /context length|context window|maximum context|exceeds the maximum number of tokens|prompt is too long/i;

/** Statuses a context overflow comes with (none when a client threw it without one). */
const OVERFLOW_STATUSES = new Set([undefined, 400, 413]);

/**
 * What a failed call came to ({@link CallErrorKind}), read through the error's whole cause chain: the
 * status and codes of a provider's error stay visible when a client wraps it (`@langchain/openai` turns
 * a 400 `context_length_exceeded` into LangChain's `ContextOverflowError` with OpenAI's error in `cause`).
 */
export function errorKindOf(error: unknown): CallErrorKind {
  const chain = causeChain(error);
  const codes = chain.flatMap(codesOf);
  const status = statusOf(error);
  if (chain.some(({ name }) => typeof name === "string" && TIMEOUT_NAMES.has(name)) || codes.some((code) => TIMEOUT_CODES.has(code)) || status === 408) {
    return "timeout";
  }
  if (isContextOverflow(chain, codes, status)) return "context_overflow";
  if (status === 429 || codes.includes("rate_limit_exceeded")) return "rate_limited";
  if (status === 401 || status === 403 || codes.some(isRefusedKeyCode)) return "refused_key";
  if (status === 404 || codes.includes("model_not_found")) return "unknown_model";
  if (status !== undefined && status >= 500) return "server_error";
  if (status !== undefined && status >= 400) return "bad_request";
  if (isConnectionFailure(chain, codes)) return "unreachable";
  return "other";
}

/**
 * The provider's code decides; else LangChain's `ContextOverflowError` or the provider's wording, unless
 * the status says otherwise: `@langchain/openai` labels any error whose message mentions "maximum context
 * length" an overflow, a 429 or a 5xx included.
 */
function isContextOverflow(chain: readonly ErrorFacts[], codes: readonly string[], status: number | undefined): boolean {
  if (codes.includes("context_length_exceeded")) return true;
  if (!OVERFLOW_STATUSES.has(status)) return false;
  return chain.some((facts) => facts.name === "ContextOverflowError" || CONTEXT_OVERFLOW_TEXT.test(messageOf(facts)));
}

/** OpenAI's `invalid_api_key`; Gemini's `API_KEY_INVALID` (sent with HTTP 400), `API_KEY_SERVICE_BLOCKED`, … */
function isRefusedKeyCode(code: string): boolean {
  return code === "invalid_api_key" || code.startsWith("API_KEY_");
}

/**
 * A connection failure: a socket or DNS code anywhere in the chain, the OpenAI SDK's `APIConnectionError`,
 * or fetch's "fetch failed" (which Gemini's client rewraps as "Error fetching from <url>: fetch failed",
 * dropping the cause).
 */
function isConnectionFailure(chain: readonly ErrorFacts[], codes: readonly string[]): boolean {
  if (codes.some((code) => CONNECTION_CODES.has(code))) return true;
  return chain.some((facts) => facts.name === "APIConnectionError" || /(^|: )fetch failed$/.test(messageOf(facts)));
}

/**
 * Kinds that calling the same model again within a turn would only repeat: the server does not have the
 * model (`unknown_model`), or it refused the key (`refused_key`). Neither is retried; a later turn tries
 * again, as the model may have been pulled or the key fixed by then.
 */
export function isLastingKind(kind: CallErrorKind): boolean {
  return kind === "unknown_model" || kind === "refused_key";
}
