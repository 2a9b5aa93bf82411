/**
 * A failed call's `kind`, `status` and `code`, as the real OpenAI, Ollama and Gemini clients report them
 * over HTTP (local protocol servers on 127.0.0.1): in the proposal event, in the state's proposals, and
 * in the failures of the typed errors, however the client wrapped the provider's error.
 */
import { HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AggregatorFailedError,
  PROPOSAL_EVENT,
  ProposersFailedError,
  createMixtureOfAgents,
  type MixtureOfAgentsOptions,
  type ModelInput,
  type ProposalEvent,
} from "../../src/index.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { closedPort as findClosedPort } from "../support/closed-port.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { Fault, ProtocolServer } from "../support/protocol-server.js";

let openai: ProtocolServer;
let ollama: ProtocolServer;
let gemini: ProtocolServer;
/** A port nothing listens on. */
let closedPort: number;

beforeAll(async () => {
  // No fallback script: a model that is not scripted gets each provider's own 404.
  [openai, ollama, gemini] = await Promise.all([startOpenAIServer({ models: {} }), startOllamaServer({ models: {} }), startGeminiServer({ models: {} })]);
  for (const server of [openai, ollama, gemini]) server.setScript("fine", { text: "fine answer" });
  closedPort = await findClosedPort();
});
afterAll(async () => {
  await Promise.all([openai, ollama, gemini].map((server) => server?.close()));
});

const question = { messages: [new HumanMessage("q")] };
const onOpenAI = (model: string, url = `${openai.url}/v1`): ModelInput => ({ model: `openai:${model}`, apiKey: "sk-test-key", baseURL: url });
const onOllama = (model: string, url = ollama.url): ModelInput => ({ model: `ollama:${model}`, baseUrl: url });
const onGemini = (model: string, url = gemini.url): ModelInput => ({ model: `google-genai:${model}`, apiKey: "test-key", baseUrl: url });

const PROVIDERS = [
  ["openai", () => openai, onOpenAI, "openai"],
  ["ollama", () => ollama, onOllama, "ollama"],
  ["gemini", () => gemini, onGemini, "google-genai"],
] as const;

function graph(options: Partial<MixtureOfAgentsOptions> & Pick<MixtureOfAgentsOptions, "proposers">) {
  return createMixtureOfAgents({ aggregator: onOpenAI("fine"), retry: { initialDelayMs: 1, maxDelayMs: 50 }, ...options });
}

const requestsFor = (server: ProtocolServer, model: string) => server.requests.filter((r) => r.model === model).length;

/** Each provider's wording of "the input is longer than the context window", sent with HTTP 400. */
const OVERFLOW: Record<(typeof PROVIDERS)[number][0], Fault> = {
  openai: {
    kind: "status",
    status: 400,
    code: "context_length_exceeded",
    message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 200000 tokens. Please reduce the length of the messages.",
  },
  ollama: { kind: "status", status: 400, message: "the input length exceeds the context length" },
  gemini: { kind: "status", status: 400, message: "The input token count (2000000) exceeds the maximum number of tokens allowed (1048576)." },
};

describe("a context overflow (HTTP 400) keeps its status, gets its kind, and is not retried", () => {
  it.each(PROVIDERS)("%s: the proposal event carries kind context_overflow and status 400", async (name, server, on, prefix) => {
    server().setScript("too-long", { fault: OVERFLOW[name] });
    const before = requestsFor(server(), "too-long");
    const events: ProposalEvent[] = [];
    for await (const chunk of await graph({ proposers: [on("too-long"), onOpenAI("fine")] }).stream(question, { streamMode: "custom" })) {
      if ((chunk as ProposalEvent).event === PROPOSAL_EVENT) events.push(chunk as ProposalEvent);
    }
    const failed = events.find((event) => event.id === `${prefix}:too-long`);
    expect(failed?.error).toMatchObject({ kind: "context_overflow", status: 400 });
    expect(failed?.error?.message).toMatch(/context window: shorten the conversation/);
    expect(requestsFor(server(), "too-long") - before).toBe(1);
  });

  it("OpenAI's is LangChain's ContextOverflowError, the provider's code kept", async () => {
    openai.setScript("too-long", { fault: OVERFLOW.openai });
    const state = await graph({ proposers: [onOpenAI("too-long"), onOpenAI("fine")] }).invoke(question);
    expect(state.proposals[0]?.error).toMatchObject({ name: "ContextOverflowError", kind: "context_overflow", status: 400, code: "context_length_exceeded" });
  });

  it("ProposersFailedError: failures[i].kind and status, and failures[i].error.status, for every provider", async () => {
    for (const [name, server] of PROVIDERS) server().setScript("too-long", { fault: OVERFLOW[name] });
    const error = await graph({ proposers: [onOpenAI("too-long"), onOllama("too-long"), onGemini("too-long"), onOpenAI("fine")], minProposals: 2 })
      .invoke(question)
      .catch((e: unknown) => e);
    expect(ProposersFailedError.isInstance(error)).toBe(true);
    const { failures } = error as ProposersFailedError;
    expect(failures.map((f) => [f.id, f.kind, f.status, (f.error as Error & { status?: number }).status])).toEqual([
      ["openai:too-long", "context_overflow", 400, 400],
      ["ollama:too-long", "context_overflow", 400, 400],
      ["google-genai:too-long", "context_overflow", 400, 400],
    ]);
  });
});

describe("every kind, through every provider's client", () => {
  const faults: Record<string, Fault> = {
    refused: { kind: "status", status: 401 },
    limited: { kind: "status", status: 429 },
    down: { kind: "status", status: 503 },
    bad: { kind: "status", status: 400 },
    conflict: { kind: "status", status: 409 },
  };

  it.each(PROVIDERS)("%s", async (_name, server, on, prefix) => {
    for (const [model, fault] of Object.entries(faults)) server().setScript(model, { fault });
    const before = Object.fromEntries(Object.keys(faults).map((model) => [model, requestsFor(server(), model)]));
    const unreachable = on("fine", prefix === "openai" ? `http://127.0.0.1:${closedPort}/v1` : `http://127.0.0.1:${closedPort}`);
    const proposers = [...Object.keys(faults), "missing"].map((model) => on(model));
    const state = await graph({
      proposers: [...proposers, { ...(unreachable as object), name: "unreachable" } as ModelInput, onOpenAI("fine")],
      retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 50 },
    }).invoke(question);

    expect(state.proposals.map((p) => [p.id, p.error?.kind, p.error?.status])).toEqual([
      [`${prefix}:refused`, "refused_key", 401],
      [`${prefix}:limited`, "rate_limited", 429],
      [`${prefix}:down`, "server_error", 503],
      [`${prefix}:bad`, "bad_request", 400],
      [`${prefix}:conflict`, "bad_request", 409],
      [`${prefix}:missing`, "unknown_model", 404],
      ["unreachable", "unreachable", undefined],
      ["openai:fine", undefined, undefined],
    ]);
    // 408, 409, 429 and 5xx are retried (once here); no other 4xx is.
    const retried = Object.fromEntries(Object.keys(faults).map((model) => [model, requestsFor(server(), model) - (before[model] ?? 0)]));
    expect(retried).toEqual({ refused: 1, limited: 2, down: 2, bad: 1, conflict: 2 });
  });

  it("a call that runs out of its timeout is a timeout, for every provider", async () => {
    for (const [, server] of PROVIDERS) server().setScript("silent", { fault: { kind: "hang" } });
    const state = await graph({ proposers: [onOpenAI("silent"), onOllama("silent"), onGemini("silent"), onOpenAI("fine")], timeouts: { proposerMs: 1_000 } }).invoke(question);
    expect(state.proposals.map((p) => [p.id, p.error?.name, p.error?.kind])).toEqual([
      ["openai:silent", "MoATimeoutError", "timeout"],
      ["ollama:silent", "MoATimeoutError", "timeout"],
      ["google-genai:silent", "MoATimeoutError", "timeout"],
      ["openai:fine", undefined, undefined],
    ]);
  });

  it("gemini: a key the provider calls invalid (HTTP 400 API_KEY_INVALID) is a refused key, the reason kept as the code", async () => {
    gemini.setScript("bad-key", { fault: { kind: "status", status: 400, code: "API_KEY_INVALID", message: "API key not valid. Please pass a valid API key." } });
    const state = await graph({ proposers: [onGemini("bad-key"), onOpenAI("fine")] }).invoke(question);
    expect(state.proposals[0]?.error).toMatchObject({ kind: "refused_key", status: 400, code: "API_KEY_INVALID" });
    expect(state.proposals[0]?.error?.message).toMatch(/refused the API key \(HTTP 400\); set GOOGLE_API_KEY or GEMINI_API_KEY/);
  });

  it("openai: the provider's code is kept (model_not_found, rate_limit_exceeded)", async () => {
    openai.setScript("limited", { fault: { kind: "status", status: 429 } });
    const state = await graph({ proposers: [onOpenAI("missing"), onOpenAI("limited"), onOpenAI("fine")], retry: { maxRetries: 0 } }).invoke(question);
    expect(state.proposals.map((p) => p.error?.code)).toEqual(["model_not_found", "rate_limit_exceeded", undefined]);
  });

  it("AggregatorFailedError: each aggregator's kind and status", async () => {
    openai.setScript("down", { fault: { kind: "status", status: 503 } });
    gemini.setScript("too-long", { fault: OVERFLOW.gemini });
    const error = await graph({ proposers: [onOllama("fine")], aggregator: [onOpenAI("down"), onGemini("too-long"), onOllama("fine", `http://127.0.0.1:${closedPort}`)], retry: { maxRetries: 0 } })
      .invoke(question)
      .catch((e: unknown) => e);
    expect(AggregatorFailedError.isInstance(error)).toBe(true);
    expect((error as AggregatorFailedError).failures.map((f) => [f.id, f.kind, f.status])).toEqual([
      ["openai:down", "server_error", 503],
      ["google-genai:too-long", "context_overflow", 400],
      ["ollama:fine", "unreachable", undefined],
    ]);
  });
});
