/**
 * The kind, status and code of a failed call, read through the whole cause chain: the shapes come from
 * the real clients' own error classes and wrappers where the packages export them (`@langchain/openai`'s
 * `wrapOpenAIClientError` around the OpenAI SDK's errors), and from the fields the others set (Ollama's
 * `status_code`, Gemini's `status` and `errorDetails`).
 */
import { OpenAIClient, wrapOpenAIClientError } from "@langchain/openai";
import { describe, expect, it } from "vitest";
import { AggregatorFailedError, MoATimeoutError, ProposersFailedError } from "../../src/index.js";
import { codeOf, statusOf } from "../../src/models/error-facts.js";
import { errorKindOf } from "../../src/models/error-kind.js";
import { isRetryable } from "../../src/models/retry.js";

/** An OpenAI API error as the SDK makes it from a response, then as `ChatOpenAI` rethrows it. */
function openAIError(status: number, code: string | null, message: string): unknown {
  const error = OpenAIClient.APIError.generate(status, { error: { message, type: "invalid_request_error", param: null, code } }, undefined, new Headers());
  return wrapOpenAIClientError(error);
}

const overflow = () => openAIError(400, "context_length_exceeded", "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.");
const fetchFailed = (code: string) => Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code }) });
const withStatus = (status: number, fields: Record<string, unknown> = {}) => Object.assign(new Error(`HTTP ${status}`), { status, ...fields });

describe("a context overflow wrapped by @langchain/openai keeps OpenAI's status and code", () => {
  it("ContextOverflowError has no status of its own; the 400 and the code are read from its cause", () => {
    const error = overflow();
    expect(error).toMatchObject({ name: "ContextOverflowError" });
    expect((error as { status?: unknown }).status).toBeUndefined();
    expect(statusOf(error)).toBe(400);
    expect(codeOf(error)).toBe("context_length_exceeded");
    expect(errorKindOf(error)).toBe("context_overflow");
  });

  it("is not retried, though a wrapped error of another kind would be", () => {
    expect(isRetryable(overflow())).toBe(false);
    expect(isRetryable(Object.assign(new Error("wrapped"), { cause: withStatus(503) }))).toBe(true);
    expect(isRetryable(Object.assign(new Error("wrapped"), { cause: withStatus(400) }))).toBe(false);
  });
});

describe("errorKindOf", () => {
  it.each([
    ["OpenAI 401 (wrapped with LangChain's MODEL_AUTHENTICATION fields)", () => openAIError(401, "invalid_api_key", "Incorrect API key provided"), "refused_key", 401],
    ["OpenAI 404 model_not_found", () => openAIError(404, "model_not_found", "The model `x` does not exist"), "unknown_model", 404],
    ["OpenAI 429", () => openAIError(429, "rate_limit_exceeded", "Rate limit reached for gpt-4o on tokens per min (TPM)"), "rate_limited", 429],
    ["OpenAI 429 'Request too large … on tokens per min'", () => openAIError(429, null, "Request too large for gpt-4o in organization org-x on tokens per min (TPM): Limit 30000, Requested 50000."), "rate_limited", 429],
    ["a 429 that @langchain/openai labels ContextOverflowError for its wording is a rate limit", () => openAIError(429, null, "Rate limit: the maximum context length per minute is spent"), "rate_limited", 429],
    ["OpenAI 500", () => openAIError(500, null, "The server had an error"), "server_error", 500],
    ["OpenAI 400 of another kind", () => openAIError(400, null, "Invalid 'messages[0].role'"), "bad_request", 400],
    ["OpenAI 422", () => openAIError(422, null, "Unprocessable"), "bad_request", 422],
    ["Ollama's status_code 404", () => Object.assign(new Error('model "x" not found, try pulling it first'), { name: "ResponseError", status_code: 404 }), "unknown_model", 404],
    ["Ollama's context overflow (400, no code)", () => Object.assign(new Error("the input length exceeds the context length"), { name: "ResponseError", status_code: 400 }), "context_overflow", 400],
    ["Gemini 400 API_KEY_INVALID", () => withStatus(400, { errorDetails: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }] }), "refused_key", 400],
    ["Gemini 403", () => withStatus(403), "refused_key", 403],
    ["Gemini 400 input token count", () => Object.assign(withStatus(400), { message: "[400 Bad Request] The input token count (2000000) exceeds the maximum number of tokens allowed (1048576)." }), "context_overflow", 400],
    ["HTTP 408", () => withStatus(408), "timeout", 408],
    ["HTTP 409", () => withStatus(409), "bad_request", 409],
    ["HTTP 503 in a cause", () => Object.assign(new Error("wrapped"), { cause: withStatus(503) }), "server_error", 503],
  ] as const)("%s", (_name, make, kind, status) => {
    const error = make();
    expect(errorKindOf(error)).toBe(kind);
    expect(statusOf(error)).toBe(status);
  });

  it("timeouts: the MoA's own, and the TimeoutError @langchain/openai makes of the SDK's", () => {
    expect(errorKindOf(new MoATimeoutError("call", 300))).toBe("timeout");
    expect(errorKindOf(new MoATimeoutError("turn", 300))).toBe("timeout");
    expect(errorKindOf(wrapOpenAIClientError(new OpenAIClient.APIConnectionTimeoutError()))).toBe("timeout");
  });

  it("connection failures: socket codes in a cause, the OpenAI SDK's APIConnectionError, Gemini's rewrapped 'fetch failed'", () => {
    expect(errorKindOf(fetchFailed("ECONNREFUSED"))).toBe("unreachable");
    expect(errorKindOf(fetchFailed("ENOTFOUND"))).toBe("unreachable");
    expect(errorKindOf(wrapOpenAIClientError(new OpenAIClient.APIConnectionError({ cause: fetchFailed("ECONNRESET") })))).toBe("unreachable");
    expect(errorKindOf(new Error("[GoogleGenerativeAI Error]: Error fetching from http://127.0.0.1:1/v1beta/models/x:streamGenerateContent?alt=sse: fetch failed"))).toBe("unreachable");
    expect(codeOf(fetchFailed("ECONNREFUSED"))).toBe("ECONNREFUSED");
  });

  it("anything else is other", () => {
    expect(errorKindOf(new Error("down"))).toBe("other");
    expect(errorKindOf(new SyntaxError("Unexpected end of JSON input"))).toBe("other");
    expect(errorKindOf("a string")).toBe("other");
    expect(errorKindOf(undefined)).toBe("other");
  });
});

describe("isRetryable: 408, 409, 429, 5xx and dropped connections; no other 4xx; never a context overflow", () => {
  it.each([
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [408, true],
    [409, true],
    [413, false],
    [422, false],
    [429, true],
    [500, true],
    [503, true],
  ])("HTTP %i: %s", (status, retried) => {
    expect(isRetryable(withStatus(status))).toBe(retried);
    expect(isRetryable(Object.assign(new Error("wrapped"), { cause: withStatus(status) }))).toBe(retried);
  });

  it("a 400 whose message speaks of the context length, or Ollama's, is not retried", () => {
    expect(isRetryable(Object.assign(new Error("the input length exceeds the context length"), { status_code: 400 }))).toBe(false);
    expect(isRetryable(fetchFailed("ECONNRESET"))).toBe(true);
  });
});

describe("the failures of the typed errors carry kind and status, to branch on without parsing", () => {
  it("ProposersFailedError fills them in from each error", () => {
    const error = new ProposersFailedError(1, 0, 1, [
      { id: "a", layer: 1, error: withStatus(429) },
      { id: "b", layer: 1, error: overflow() as Error },
      { id: "c", layer: 1, error: new MoATimeoutError("call", 300) },
    ]);
    expect(error.failures.map((f) => [f.id, f.kind, f.status])).toEqual([
      ["a", "rate_limited", 429],
      ["b", "context_overflow", 400],
      ["c", "timeout", undefined],
    ]);
  });

  it("a recorded kind is kept; AggregatorFailedError does the same", () => {
    const recorded = Object.assign(new Error("m (provider openai): down"), { kind: "server_error", status: 502 });
    const error = new AggregatorFailedError([{ id: "m", layer: "aggregate", error: recorded }]);
    expect(error.failures[0]).toMatchObject({ kind: "server_error", status: 502 });
  });
});
