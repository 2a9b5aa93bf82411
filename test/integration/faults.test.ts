/**
 * Faults injected by the local protocol servers, driven through the real clients: the MoA keeps
 * answering where it can, gives up with a typed error where it must, and closes what it abandons.
 */
import { HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AggregatorFailedError,
  MoATimeoutError,
  createMixtureOfAgents,
  type MixtureOfAgentsOptions,
  type ModelInput,
} from "../../src/index.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ModelScript, ProtocolServer } from "../support/protocol-server.js";

let openai: ProtocolServer;
let ollama: ProtocolServer;
let gemini: ProtocolServer;

beforeAll(async () => {
  const fallback: ModelScript = { text: "ok answer" };
  [openai, ollama, gemini] = await Promise.all([startOpenAIServer({ models: {}, fallback }), startOllamaServer({ models: {}, fallback }), startGeminiServer({ models: {}, fallback })]);
});
afterAll(async () => {
  await Promise.all([openai, ollama, gemini].map((server) => server?.close()));
});

const question = { messages: [new HumanMessage("q")] };
const fastRetry = { initialDelayMs: 10, maxDelayMs: 2_000 };
const onOpenAI = (model: string): ModelInput => ({ model: `openai:${model}`, apiKey: "sk-test-key", baseURL: `${openai.url}/v1` });
const onOllama = (model: string): ModelInput => ({ model: `ollama:${model}`, baseUrl: ollama.url });
const onGemini = (model: string): ModelInput => ({ model: `google-genai:${model}`, apiKey: "test-key", baseUrl: gemini.url });
const aggregator = () => onOpenAI("aggregator");

/** Waits until `check` holds (the servers see a close a moment after the client drops it). */
async function eventually(check: () => boolean, ms = 2_000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function graph(options: Partial<MixtureOfAgentsOptions> & Pick<MixtureOfAgentsOptions, "proposers">) {
  return createMixtureOfAgents({ aggregator: aggregator(), retry: fastRetry, ...options });
}

describe("retries", () => {
  it("a 500 is retried and the proposer answers", async () => {
    openai.setScript("flaky-500", { text: "recovered", fault: { kind: "status", status: 500, times: 1 } });
    const state = await graph({ proposers: [onOpenAI("flaky-500")] }).invoke(question);
    expect(state.trace.layers[0]?.calls[0]).toMatchObject({ status: "ok", attempts: 2 });
    expect(state.references).toEqual(["recovered"]);
  });

  it("a 429 waits for its Retry-After before the retry", async () => {
    ollama.setScript("limited", { text: "after the wait", fault: { kind: "status", status: 429, retryAfterSeconds: 1, times: 1 } });
    gemini.setScript("limited", { text: "after the wait", fault: { kind: "status", status: 429, retryAfterSeconds: 1, times: 1 } });
    const state = await graph({ proposers: [onGemini("limited")] }).invoke(question);
    const call = state.trace.layers[0]?.calls[0];
    expect(call).toMatchObject({ status: "ok", attempts: 2 });
    expect(call?.latencyMs).toBeGreaterThanOrEqual(950);
  });

  it("a 429 whose only wait header is retry-after-ms (Azure OpenAI) waits that long", async () => {
    openai.setScript("limited-ms", { text: "after the wait", fault: { kind: "status", status: 429, times: 1, headers: { "retry-after-ms": "900" } } });
    const state = await graph({ proposers: [onOpenAI("limited-ms")], retry: { initialDelayMs: 10, maxDelayMs: 5_000 } }).invoke(question);
    const call = state.trace.layers[0]?.calls[0];
    expect(call).toMatchObject({ status: "ok", attempts: 2 });
    expect(call?.latencyMs).toBeGreaterThanOrEqual(850);
  });

  it("Ollama: a 429's Retry-After is read from the response (its client keeps the status alone)", async () => {
    ollama.setScript("limited-ollama", { text: "after the wait", fault: { kind: "status", status: 429, retryAfterSeconds: 1, times: 1 } });
    const state = await graph({ proposers: [onOllama("limited-ollama")], retry: { initialDelayMs: 10, maxDelayMs: 5_000 } }).invoke(question);
    const call = state.trace.layers[0]?.calls[0];
    expect(call).toMatchObject({ status: "ok", attempts: 2 });
    expect(call?.latencyMs).toBeGreaterThanOrEqual(950);
  });

  it("a Retry-After given as an HTTP date waits until then, capped by maxDelayMs", async () => {
    const at = new Date(Date.now() + 2_500).toUTCString();
    openai.setScript("limited-date", { text: "after the wait", fault: { kind: "status", status: 429, times: 1, headers: { "retry-after": at } } });
    const state = await graph({ proposers: [onOpenAI("limited-date")], retry: { initialDelayMs: 10, maxDelayMs: 5_000 } }).invoke(question);
    const call = state.trace.layers[0]?.calls[0];
    expect(call).toMatchObject({ status: "ok", attempts: 2 });
    // The date has whole seconds: the wait is 1.5 to 2.5 s.
    expect(call?.latencyMs).toBeGreaterThanOrEqual(1_400);
  });

  it("a connection reset mid-stream is retried", async () => {
    openai.setScript("resets", { text: "whole answer", fault: { kind: "reset", times: 1 } });
    const state = await graph({ proposers: [onOpenAI("p")], aggregator: onOpenAI("resets") }).stream(question, { streamMode: "values" });
    let last;
    for await (const value of state) last = value;
    expect(last?.messages.at(-1)?.text).toBe("whole answer");
    expect(last?.trace.aggregator[0]).toMatchObject({ status: "ok", attempts: 2 });
  });
});

describe("an answer that has started streaming is never repeated", () => {
  it("an aggregator reset mid-stream is not retried, so its tokens are not streamed twice", async () => {
    openai.setScript("cut", { text: "one two three four", fault: { kind: "reset", times: 1 } });
    const before = openai.requests.filter((r) => r.model === "cut").length;
    const tokens: string[] = [];
    const error = await (async () => {
      for await (const [chunk, meta] of await graph({ proposers: [onOllama("p")], aggregator: onOpenAI("cut") }).stream(question, { streamMode: "messages" })) {
        if (meta.moa_role === "aggregator") tokens.push(chunk.text);
      }
    })().catch((e: unknown) => e);
    expect(AggregatorFailedError.isInstance(error)).toBe(true);
    expect(tokens.join("")).toBe("one ");
    expect(openai.requests.filter((r) => r.model === "cut").length - before).toBe(1);
  });
});

describe("faults that cost a proposer, not the turn", () => {
  it.each([
    ["malformed JSON", { kind: "malformed-json" } as const],
    ["a 500 on every attempt", { kind: "status", status: 500 } as const],
    ["a reset on every attempt", { kind: "reset" } as const],
  ])("%s: the proposer is left out with its error, the others answer", async (_name, fault) => {
    openai.setScript("broken", { fault });
    const state = await graph({ proposers: [onOpenAI("broken"), onOllama("fine")] }).invoke(question);
    expect(state.trace.layers[0]?.calls.map((c) => [c.id, c.status])).toEqual([["openai:broken", "failed"], ["ollama:fine", "ok"]]);
    expect(state.trace.layers[0]?.calls[0]?.error).toMatch(/^openai:broken \(provider openai\): /);
    expect(state.messages.at(-1)?.text).toBe("ok answer");
  });
});

describe("a failed proposal's error", () => {
  it("keeps the HTTP status of every provider's client (Ollama's names it status_code)", async () => {
    openai.setScript("broken", { fault: { kind: "status", status: 500 } });
    ollama.setScript("broken", { fault: { kind: "status", status: 503 } });
    gemini.setScript("broken", { fault: { kind: "status", status: 400 } });
    const state = await graph({ proposers: [onOpenAI("broken"), onOllama("broken"), onGemini("broken"), onOllama("fine")] }).invoke(question);
    expect(state.proposals.map((proposal) => proposal.error?.status)).toEqual([500, 503, 400, undefined]);
  });
});

describe("timeouts, aborts and stragglers close what they abandon", () => {
  it.each([
    ["openai", () => openai, onOpenAI],
    ["ollama", () => ollama, onOllama],
    ["gemini", () => gemini, onGemini],
  ] as const)("%s: a server that never answers times out; its connection is closed; the turn goes on", async (_name, server, on) => {
    server().setScript("silent", { fault: { kind: "hang" } });
    const before = server().abortedByClient;
    const started = Date.now();
    const state = await graph({ proposers: [on("silent"), onOpenAI("quick")], timeouts: { proposerMs: 300 } }).invoke(question);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(state.trace.layers[0]?.calls[0]).toMatchObject({ status: "failed", error: expect.stringMatching(/timed out after 300 ms/) });
    await eventually(() => server().abortedByClient === before + 1 && server().inFlight() === 0);
  });

  it("an endless stream from the aggregator times out and closes; having streamed, it is not replaced", async () => {
    openai.setScript("endless", { fault: { kind: "endless-stream" } });
    const before = openai.abortedByClient;
    const g = graph({ proposers: [onOllama("p")], aggregator: [onOpenAI("endless"), onGemini("backup")], timeouts: { aggregatorMs: 300 } });
    const tokens: string[] = [];
    const error = await (async () => {
      for await (const [chunk, meta] of await g.stream(question, { streamMode: "messages" })) {
        if (meta.moa_role === "aggregator") tokens.push(chunk.text);
      }
    })().catch((e: unknown) => e);
    expect(tokens.length).toBeGreaterThan(0);
    expect(AggregatorFailedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/openai:endless \(provider openai\): MoATimeoutError: timed out after 300 ms/);
    await eventually(() => openai.abortedByClient === before + 1 && openai.inFlight() === 0);
  });

  it("an endless aggregator that has not streamed yet falls back cleanly when invoked", async () => {
    openai.setScript("endless", { fault: { kind: "endless-stream" } });
    const state = await graph({ proposers: [onOllama("p")], aggregator: [onOpenAI("endless"), onGemini("backup")], timeouts: { aggregatorMs: 300 } }).invoke(question);
    expect(state.messages.at(-1)?.text).toBe("ok answer");
    expect(state.trace.aggregator.map((c) => [c.id, c.status])).toEqual([["openai:endless", "failed"], ["google-genai:backup", "ok"]]);
  });

  it("the whole-turn timeout throws MoATimeoutError and closes every connection", async () => {
    for (const server of [openai, ollama, gemini]) server.setScript("silent", { fault: { kind: "hang" } });
    const before = [openai, ollama, gemini].map((s) => s.abortedByClient);
    const error = await graph({ proposers: [onOpenAI("silent"), onOllama("silent"), onGemini("silent")], timeouts: { turnMs: 300 } })
      .invoke(question)
      .catch((e: unknown) => e);
    expect(MoATimeoutError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ name: "MoATimeoutError", scope: "turn", timeoutMs: 300 });
    await eventually(() => [openai, ollama, gemini].every((s, i) => s.abortedByClient === (before[i] ?? 0) + 1 && s.inFlight() === 0));
  });

  it("signal aborts a turn at once and closes every connection", async () => {
    for (const server of [openai, ollama, gemini]) server.setScript("silent", { fault: { kind: "hang" } });
    const before = [openai, ollama, gemini].map((s) => s.abortedByClient);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await graph({ proposers: [onOpenAI("silent"), onOllama("silent"), onGemini("silent")] })
      .invoke(question, { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(String(error)).toMatch(/abort/i);
    await eventually(() => [openai, ollama, gemini].every((s, i) => s.abortedByClient === (before[i] ?? 0) + 1 && s.inFlight() === 0));
  });

  it("quorum: once min proposals are in, a straggler gets graceMs more and is then aborted", async () => {
    ollama.setScript("slow", { text: "late", latencyMs: 5_000 });
    const before = ollama.abortedByClient;
    const started = Date.now();
    const state = await graph({ proposers: [onOpenAI("a"), onGemini("b"), onOllama("slow")], quorum: { min: 2, graceMs: 150 } }).invoke(question);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(state.trace.layers[0]?.calls.map((c) => [c.id, c.status])).toEqual([
      ["openai:a", "ok"],
      ["google-genai:b", "ok"],
      ["ollama:slow", "straggler"],
    ]);
    expect(state.references).toHaveLength(2);
    await eventually(() => ollama.abortedByClient === before + 1);
  });

  it("every aggregator failing gives the typed error with each cause", async () => {
    openai.setScript("down", { fault: { kind: "status", status: 503 } });
    gemini.setScript("down", { fault: { kind: "status", status: 503 } });
    const error = await graph({ proposers: [onOllama("p")], aggregator: [onOpenAI("down"), onGemini("down")], retry: { maxRetries: 0 } })
      .invoke(question)
      .catch((e: unknown) => e);
    expect(AggregatorFailedError.isInstance(error)).toBe(true);
    expect((error as AggregatorFailedError).failures.map((f) => f.id)).toEqual(["openai:down", "google-genai:down"]);
  });
});

describe("limits", () => {
  it("a per-provider limit holds across every turn of a batch", async () => {
    openai.setScript("paced", { text: "paced answer", latencyMs: 30 });
    const startMax = openai.maxInFlight;
    expect(startMax).toBeGreaterThanOrEqual(0);
    const g = graph({
      proposers: [onOpenAI("paced"), onOpenAI("paced"), onOpenAI("paced")],
      aggregator: onOpenAI("paced"),
      concurrency: { perProvider: { openai: 2 } },
    });
    let inFlightSeen = 0;
    const watcher = setInterval(() => (inFlightSeen = Math.max(inFlightSeen, openai.inFlight())), 2);
    try {
      const states = await g.batch(Array.from({ length: 10 }, () => ({ messages: [new HumanMessage("q")] })));
      expect(states.every((s) => s.messages.at(-1)?.text === "paced answer")).toBe(true);
    } finally {
      clearInterval(watcher);
    }
    expect(inFlightSeen).toBeGreaterThan(0);
    expect(inFlightSeen).toBeLessThanOrEqual(2);
  });
});
