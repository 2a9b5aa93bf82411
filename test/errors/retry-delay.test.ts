/**
 * How long a retry waits for what the server asked: `retry-after-ms`, `Retry-After` in seconds or as an HTTP
 * date, Gemini's `RetryInfo`, capped by `maxDelayMs`; a value that is no wait (empty, negative, a date past)
 * leaves the backoff in place. Errors shaped as the clients throw them (headers on the error or its cause).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, retryDelayMs } from "../../src/models/retry.js";

const policy = { ...DEFAULT_RETRY, initialDelayMs: 100, maxDelayMs: 3_000 };
const NOW = Date.parse("2026-12-07T12:00:00Z");
const withHeaders = (headers: Record<string, string>) => Object.assign(new Error("429"), { status: 429, headers: new Headers(headers) });
const backoff = [75, 125];

describe("the wait before a retry", () => {
  it.each([
    ["retry-after-ms", { "retry-after-ms": "900" }, [900, 900]],
    ["retry-after-ms first, as openai-node reads it", { "retry-after-ms": "400", "retry-after": "2" }, [400, 400]],
    ["retry-after in seconds", { "retry-after": "2" }, [2_000, 2_000]],
    ["retry-after as a date", { "retry-after": new Date(NOW + 2_000).toUTCString() }, [2_000, 2_000]],
    ["a wait over maxDelayMs, capped", { "retry-after-ms": "1e400" }, [3_000, 3_000]],
    ["a negative retry-after-ms: the backoff", { "retry-after-ms": "-5000" }, backoff],
    ["a negative retry-after: the backoff", { "retry-after": "-3" }, backoff],
    ["an empty retry-after: the backoff", { "retry-after": "" }, backoff],
    ["a date past: the backoff", { "retry-after": new Date(NOW - 60_000).toUTCString() }, backoff],
    ["garbage: the backoff", { "retry-after-ms": "soon" }, backoff],
  ])("%s", (_name, headers, [low, high]) => {
    const ms = retryDelayMs(withHeaders(headers), 1, policy, NOW);
    expect(ms).toBeGreaterThanOrEqual(low as number);
    expect(ms).toBeLessThanOrEqual(high as number);
  });

  it("reads the headers on a wrapped error's cause, and Gemini's RetryInfo", () => {
    const wrapped = new Error("wrapped", { cause: withHeaders({ "retry-after-ms": "700" }) });
    expect(retryDelayMs(wrapped, 1, policy, NOW)).toBe(700);
    const gemini = Object.assign(new Error("429"), { status: 429, errorDetails: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.5s" }] });
    expect(retryDelayMs(gemini, 1, policy, NOW)).toBe(1_500);
  });
});
