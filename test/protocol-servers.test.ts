/**
 * The local protocol servers, driven by the real LangChain clients (ChatOpenAI, ChatOllama,
 * ChatGoogleGenerativeAI) over HTTP on 127.0.0.1. Where a client does not carry an AbortSignal to the
 * connection, the tests pin down what it does instead, so a change of client version shows up here.
 */
import { ChatGoogleGenerativeAI } from "@langchain/google-genai";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAI } from "@langchain/openai";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, type AIMessageChunk } from "@langchain/core/messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startGeminiServer } from "./support/gemini-server.js";
import { startOllamaServer } from "./support/ollama-server.js";
import { startOpenAIServer } from "./support/openai-server.js";
import { connect } from "./support/closed-port.js";
import type { Protocol, ProtocolServer, ServerOptions } from "./support/protocol-server.js";

type Mode = "invoke" | "stream";

/** How to start one protocol's server and point its real LangChain client at it. */
interface Harness {
  protocol: Protocol;
  model: string;
  start(options: ServerOptions): Promise<ProtocolServer>;
  client(server: ProtocolServer, model?: string): BaseChatModel;
  /** The header that carries the credentials (undefined: none is sent). */
  keyHeader?: string;
  /** The property of the client's error that holds the HTTP status. */
  statusKey: string;
  /** Whether an AbortSignal given to invoke / stream closes the HTTP connection while the server hangs. */
  abortCloses: Record<Mode, boolean>;
  /** Whether a stream that fails mid-way also leaves an unhandled rejection behind. */
  strayRejections: boolean;
}

const harnesses: Harness[] = [
  {
    protocol: "openai",
    model: "m1",
    start: startOpenAIServer,
    client: (server, model = "m1") => new ChatOpenAI({ model, apiKey: "sk-test", configuration: { baseURL: `${server.url}/v1` }, maxRetries: 0 }),
    keyHeader: "authorization",
    statusKey: "status",
    abortCloses: { invoke: true, stream: true },
    strayRejections: false,
  },
  {
    protocol: "ollama",
    model: "llama3.1:8b",
    start: startOllamaServer,
    client: (server, model = "llama3.1:8b") => new ChatOllama({ model, baseUrl: server.url }),
    statusKey: "status_code",
    // ChatOllama never hands the signal to fetch: it only calls client.abort() when a chunk arrives after the abort.
    abortCloses: { invoke: false, stream: false },
    strayRejections: false,
  },
  {
    protocol: "gemini",
    model: "gemini-x",
    start: startGeminiServer,
    client: (server, model = "gemini-x") => new ChatGoogleGenerativeAI({ model, apiKey: "test-key", baseUrl: server.url, maxRetries: 0 }),
    keyHeader: "x-goog-api-key",
    statusKey: "status",
    // _generate does not pass the call options (and so the signal) to completionWithRetry.
    abortCloses: { invoke: false, stream: true },
    // generateContentStream's aggregated `response` promise rejects with nobody listening.
    strayRejections: true,
  },
];

const history = [new SystemMessage("Be brief."), new HumanMessage("Hi"), new AIMessage("Hello!"), new HumanMessage("What is MoA?")];

let servers: ProtocolServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(harness: Harness, options: ServerOptions): Promise<ProtocolServer> {
  const server = await harness.start(options);
  servers.push(server);
  return server;
}

async function drain(stream: AsyncIterable<AIMessageChunk>, onChunk?: (count: number) => void): Promise<AIMessageChunk[]> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    onChunk?.(chunks.length);
  }
  return chunks;
}

function call(harness: Harness, server: ProtocolServer, mode: Mode, signal?: AbortSignal): Promise<unknown> {
  const client = harness.client(server);
  return mode === "invoke" ? client.invoke("q", { signal }) : client.stream("q", { signal }).then((s) => drain(s));
}

/** "resolved", "rejected", or "pending" if `promise` has not settled within `ms`. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<string> {
  const outcome = promise.then(() => "resolved", () => "rejected");
  return Promise.race([outcome, new Promise<string>((resolve) => setTimeout(() => resolve("pending"), ms))]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes over `unhandledRejection` (from vitest) while a test makes a client fail mid-stream, so that
 * the rejections a client leaves behind are collected and checked instead of failing the run.
 */
function trapUnhandledRejections(): { release(): Promise<unknown[]> } {
  const previous = process.listeners("unhandledRejection");
  const caught: unknown[] = [];
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", (reason) => caught.push(reason));
  return {
    async release() {
      await sleep(20);
      process.removeAllListeners("unhandledRejection");
      for (const listener of previous) process.on("unhandledRejection", listener);
      return caught;
    },
  };
}

describe.each(harnesses)("$protocol server with the real client", (harness) => {
  const { model } = harness;

  it("invoke: answers the scripted text and usage, and records the messages sent", async () => {
    const server = await serve(harness, { models: { [model]: { text: "Mixture of agents.", usage: { input: 7, output: 3 } } } });
    const answer = await harness.client(server).invoke(history);

    expect(answer.text).toBe("Mixture of agents.");
    expect(answer.usage_metadata).toMatchObject({ input_tokens: 7, output_tokens: 3, total_tokens: 10 });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request).toMatchObject({ protocol: harness.protocol, model });
    expect(request?.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "Hello!" },
      { role: "user", content: "What is MoA?" },
    ]);
    if (harness.keyHeader) expect(Object.keys(request?.headers ?? {})).toContain(harness.keyHeader);
    expect(server.inFlight()).toBe(0);
  });

  it("stream: several chunks whose concatenation has the text and the usage", async () => {
    const server = await serve(harness, { models: { [model]: { text: "one two three four", chunkDelayMs: 2 } } });
    const chunks = await drain(await harness.client(server).stream(history));

    expect(chunks.filter((c) => c.text !== "").length).toBeGreaterThanOrEqual(4);
    const whole = chunks.reduce((a, b) => a.concat(b));
    expect(whole.text).toBe("one two three four");
    expect(whole.usage_metadata).toMatchObject({ input_tokens: 10, output_tokens: 5, total_tokens: 15 });
    expect(server.requests[0]?.stream).toBe(true);
  });

  it("a 500 reaches the client as an error, once (maxRetries 0); `times: 1` lets the next call answer", async () => {
    const server = await serve(harness, { models: { [model]: { fault: { kind: "status", status: 500, times: 1 } } } });
    const client = harness.client(server);

    await expect(client.invoke("q")).rejects.toMatchObject({ [harness.statusKey]: 500 });
    expect(server.requests).toHaveLength(1);
    expect((await client.invoke("q")).text).toBe(`${model} answer`);
  });

  it("a 429 with Retry-After reaches the client as an error", async () => {
    const server = await serve(harness, { models: { [model]: { fault: { kind: "status", status: 429, retryAfterSeconds: 2 } } } });

    await expect(harness.client(server).invoke("q")).rejects.toMatchObject({ [harness.statusKey]: 429 });
    expect(server.requests).toHaveLength(1);
  });

  it("an unknown model gets the provider's 404; a fallback script answers any model", async () => {
    const server = await serve(harness, { models: { [model]: {} } });
    await expect(harness.client(server, "nope").invoke("q")).rejects.toMatchObject({ [harness.statusKey]: 404 });

    const open = await serve(harness, { models: {}, fallback: { text: (r) => `echo ${r.messages.at(-1)?.content}` } });
    expect((await harness.client(open, "any-model").invoke("ping")).text).toBe("echo ping");
  });

  it("reset and malformed JSON reach the client as errors", async () => {
    const server = await serve(harness, { models: { [model]: { fault: { kind: "reset" } }, bad: { fault: { kind: "malformed-json" } } } });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const trap = trapUnhandledRejections();

    await expect(harness.client(server).invoke("q")).rejects.toThrow();
    await expect(harness.client(server).stream("q").then((s) => drain(s))).rejects.toThrow();
    await expect(harness.client(server, "bad").invoke("q")).rejects.toThrow();
    await expect(harness.client(server, "bad").stream("q").then((s) => drain(s))).rejects.toThrow();
    const stray = await trap.release();
    warn.mockRestore();

    expect(stray.length > 0).toBe(harness.strayRejections);
    await vi.waitFor(() => expect(server.inFlight()).toBe(0));
    expect(server.abortedByClient).toBe(0);
  });

  it("latency: parallel requests are in flight together", async () => {
    const server = await serve(harness, { models: { [model]: { latencyMs: 80 } } });
    const client = harness.client(server);

    await Promise.all([client.invoke("a"), client.invoke("b"), client.invoke("c")]);
    expect(server.maxInFlight).toBe(3);
    expect(server.inFlight()).toBe(0);
  });

  it.each(["invoke", "stream"] as const)("hang + AbortSignal (%s)", async (mode) => {
    const server = await serve(harness, { models: { [model]: { fault: { kind: "hang" } } } });
    const controller = new AbortController();
    const pending = call(harness, server, mode, controller.signal);
    pending.catch(() => undefined);

    await vi.waitFor(() => expect(server.inFlight()).toBe(1));
    controller.abort();
    if (harness.abortCloses[mode]) {
      await expect(pending).rejects.toThrow();
      await vi.waitFor(() => expect(server.abortedByClient).toBe(1));
      expect(server.inFlight()).toBe(0);
      return;
    }
    // The connection stays open: invoke does not even settle; stream's consumer is released by core.
    expect(await settledWithin(pending, 100)).toBe(mode === "invoke" ? "pending" : "rejected");
    expect(server.abortedByClient).toBe(0);
    expect(server.inFlight()).toBe(1);
    await server.close();
    expect(await settledWithin(pending, 1000)).toBe("rejected");
    expect(server.inFlight()).toBe(0);
  });

  it("endless stream + abort while waiting for a chunk: the server sees the abort and stops", async () => {
    const server = await serve(harness, { models: { [model]: { fault: { kind: "endless-stream" }, chunkDelayMs: 5 } } });
    const controller = new AbortController();
    const trap = trapUnhandledRejections();
    const stream = await harness.client(server).stream("q", { signal: controller.signal });

    await expect(drain(stream, (count) => count === 3 && setTimeout(() => controller.abort(), 0))).rejects.toThrow();
    await vi.waitFor(() => expect(server.abortedByClient).toBe(1));
    expect(server.inFlight()).toBe(0);
    expect((await trap.release()).length > 0).toBe(harness.strayRejections);
  });

  it("close() leaves no open connections or server handles", async () => {
    const server = await harness.start({ models: { [model]: { latencyMs: 5_000 } } });
    const pending = harness.client(server).invoke("q");
    pending.catch(() => undefined);
    await vi.waitFor(() => expect(server.openConnections()).toBe(1));
    await server.close();

    expect(server.openConnections()).toBe(0);
    expect(server.inFlight()).toBe(0);
    expect(server.abortedByClient).toBe(0);
    await expect(connect(Number(new URL(server.url).port))).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await expect(pending).rejects.toThrow();
  });
});

describe("ChatOllama and aborts (ollama-js gets no signal)", () => {
  const harness = harnesses[1] as Harness;

  it("an abort between two chunks never reaches fetch: ollama-js gives fetch a signal of its own (why the library gives ChatOllama its fetch)", async () => {
    const server = await serve(harness, { models: { [harness.model]: { fault: { kind: "endless-stream" }, chunkDelayMs: 5 } } });
    const fetchSignals: Array<AbortSignal | null | undefined> = [];
    const recordingFetch: typeof fetch = (input, init) => {
      fetchSignals.push(init?.signal);
      return fetch(input, init);
    };
    const controller = new AbortController();
    const stream = await new ChatOllama({ model: harness.model, baseUrl: server.url, fetch: recordingFetch }).stream("q", { signal: controller.signal });

    await expect(drain(stream, (count) => count === 3 && controller.abort())).rejects.toThrow();
    expect(fetchSignals).toHaveLength(1);
    expect(fetchSignals[0]).not.toBe(controller.signal);
    expect(fetchSignals[0]?.aborted ?? false).toBe(false);
  });

  it("invoke aborted mid-stream resolves with the partial answer instead of rejecting", async () => {
    const server = await serve(harness, { models: { [harness.model]: { text: "partial answer", fault: { kind: "endless-stream" }, chunkDelayMs: 5 } } });
    const controller = new AbortController();
    const abortOnFirstToken = { handleLLMNewToken: () => controller.abort() };
    const answer = await harness.client(server).invoke("q", { signal: controller.signal, callbacks: [abortOnFirstToken] });

    expect(answer.text).toMatch(/^(partial )+$/);
    await vi.waitFor(() => expect(server.abortedByClient).toBe(1));
  });
});

describe("endpoints the chat clients do not use", () => {
  it("OpenAI GET /v1/models and Gemini GET /v1beta/models list the scripted models", async () => {
    const openai = await serve(harnesses[0] as Harness, { models: { m1: {}, m2: {} } });
    const gemini = await serve(harnesses[2] as Harness, { models: { "gemini-x": {} } });

    const models = (await (await fetch(`${openai.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(["m1", "m2"]);
    const listed = (await (await fetch(`${gemini.url}/v1beta/models`)).json()) as { models: Array<{ name: string }> };
    expect(listed.models.map((m) => m.name)).toEqual(["models/gemini-x"]);
  });

  it("Ollama: /api/tags (via checkOrPullModel), /api/version and a `stream: false` chat", async () => {
    const server = await serve(harnesses[1] as Harness, { models: { "llama3.1:8b": { text: "whole" } } });
    const checked = new ChatOllama({ model: "llama3.1:8b", baseUrl: server.url, checkOrPullModel: true });
    expect((await checked.invoke("q")).text).toBe("whole");

    expect(await (await fetch(`${server.url}/api/version`)).json()).toMatchObject({ version: expect.any(String) });
    const response = await fetch(`${server.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "llama3.1:8b", stream: false, messages: [{ role: "user", content: "q" }] }) });
    expect(await response.json()).toMatchObject({ done: true, message: { role: "assistant", content: "whole" }, prompt_eval_count: 10, eval_count: 5 });
    expect(server.requests.map((r) => r.stream)).toEqual([true, false]);
  });
});
