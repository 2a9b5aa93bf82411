/**
 * Answers that are not answers, over loopback through the real clients: an HTTP 200 with no text (a content
 * filter, a reasoning model that spent its token limit, plain empty), Gemini's SAFETY finish and blocked
 * prompt, and a stream that ends without its finish reason (a proxy closing the connection cleanly). None
 * becomes a turn's answer or a reference: the next aggregator answers, or the turn fails naming the reason,
 * and nothing is stored on the thread.
 */
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AggregatorFailedError, MixtureOfAgents, createMixtureOfAgents, type MixtureOfAgentsOptions, type ModelInput } from "../../src/index.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ModelScript, ProtocolServer } from "../support/protocol-server.js";

let openai: ProtocolServer;
let ollama: ProtocolServer;
let gemini: ProtocolServer;

beforeAll(async () => {
  const fallback: ModelScript = { text: "a whole answer" };
  [openai, ollama, gemini] = await Promise.all([
    startOpenAIServer({ models: {}, fallback, reasoning: { thinker: { reasoningContent: "Let me think at length...", finishReason: "length" } } }),
    startOllamaServer({ models: {}, fallback }),
    startGeminiServer({ models: {}, fallback }),
  ]);
});
afterAll(async () => {
  await Promise.all([openai, ollama, gemini].map((server) => server?.close()));
});

const question = { messages: [new HumanMessage("q")] };
const onOpenAI = (model: string): ModelInput => ({ model: `openai:${model}`, apiKey: "sk-test-key", baseURL: `${openai.url}/v1` });
const onOllama = (model: string): ModelInput => ({ model: `ollama:${model}`, baseUrl: ollama.url });
const onGemini = (model: string): ModelInput => ({ model: `google-genai:${model}`, apiKey: "test-key", baseUrl: gemini.url });
const graph = (options: Partial<MixtureOfAgentsOptions> & Pick<MixtureOfAgentsOptions, "aggregator">) =>
  createMixtureOfAgents({ proposers: [onOllama("p")], retry: { maxRetries: 1, initialDelayMs: 5, maxDelayMs: 50 }, ...options });

/** Runs a turn streamed with the `messages` mode, as a UI does (each model then streams its tokens). */
async function streamed(moa: ReturnType<typeof graph>, input = question, config: object = {}) {
  const tokens: string[] = [];
  let values: Awaited<ReturnType<typeof moa.invoke>> | undefined;
  for await (const [mode, payload] of await moa.stream(input, { ...config, streamMode: ["messages", "values"] })) {
    if (mode === "messages") {
      const [chunk, meta] = payload as [{ text: string }, { moa_role?: string }];
      if (meta.moa_role === "aggregator") tokens.push(chunk.text);
    } else values = payload as typeof values;
  }
  return { tokens, values };
}

const failureOf = async (run: Promise<unknown>) => {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!AggregatorFailedError.isInstance(error)) throw new Error(`expected AggregatorFailedError, got ${String(error)}`);
  return error;
};

describe("an aggregator that answers HTTP 200 with no text", () => {
  it.each([
    ["a content filter", { text: "", finishReason: "content_filter" }, /openai:empty-\w+ \(provider openai\): EmptyAnswerError: answered no text; finish reason "content_filter"/],
    ["a plain empty answer", { text: "" }, /openai:empty-\w+ \(provider openai\): EmptyAnswerError: answered no text$/],
  ])("%s is no answer: the next aggregator answers", async (_name, script, message) => {
    const model = `empty-${Math.random().toString(36).slice(2, 8)}`;
    openai.setScript(model, script);
    const state = await graph({ aggregator: [onOpenAI(model), onOllama("fallback")] }).invoke(question);
    expect(state.messages.at(-1)?.text).toBe("a whole answer");
    expect(state.trace.aggregator.map((c) => [c.id, c.status])).toEqual([
      [`openai:${model}`, "failed"],
      ["ollama:fallback", "ok"],
    ]);
    expect(state.trace.aggregator[0]?.error).toMatch(message);
  });

  it("a reasoning model that spent max_tokens thinking fails the turn, naming the token limit, and the thread keeps none of it", async () => {
    const checkpointer = new MemorySaver();
    const moa = graph({ aggregator: onOpenAI("thinker"), checkpointer });
    const config = { configurable: { thread_id: "thinker" } };
    openai.setScript("thinker", { text: "" });
    const error = await failureOf(moa.invoke(question, config));
    expect(error.message).toMatch(/answered no text, only reasoning; it stopped at its token limit \(finish reason "length"\): raise its maxTokens/);
    expect(error.failures[0]?.error.name).toBe("EmptyAnswerError");
    expect((await moa.getState(config)).values.messages ?? []).toEqual([]);
  });

  it("streamed (as a UI asks), an empty answer is no answer either", async () => {
    openai.setScript("filtered", { text: "", finishReason: "content_filter" });
    const { tokens, values } = await streamed(graph({ aggregator: [onOpenAI("filtered"), onOllama("fallback")] }));
    expect(values?.messages.at(-1)?.text).toBe("a whole answer");
    expect(tokens.join("")).toBe("a whole answer");
  });
});

describe("an empty answer through the chat model and in streams", () => {
  it("blank lines ending at the token limit, streamed, do not keep the next aggregator from answering", async () => {
    openai.setScript("blank", { text: "\n\n", finishReason: "length" });
    const { tokens, values } = await streamed(graph({ aggregator: [onOpenAI("blank"), onOllama("fallback")] }));
    expect(values?.messages.at(-1)?.text).toBe("a whole answer");
    expect(values?.trace.aggregator.map((c) => c.status)).toEqual(["failed", "ok"]);
    expect(tokens.join("").trim()).toBe("a whole answer");
  });

  it.each([
    ["Ollama", () => ollama, onOllama],
    ["Gemini", () => gemini, onGemini],
  ])("%s: the chat model's invoke replaces an aggregator whose stream was cut (no one saw its tokens)", async (_name, server, on) => {
    server().setScript("cut-for-invoke", { text: "partial words here", finishReason: null });
    const moa = new MixtureOfAgents({ proposers: [onOllama("p")], aggregator: [on("cut-for-invoke"), onOllama("fallback")], retry: { maxRetries: 0 } });
    const answer = await moa.invoke([new HumanMessage("q")]);
    expect(answer.text).toBe("a whole answer");
  });
});

describe("Gemini's filters", () => {
  it.each([
    ["a SAFETY finish", { text: "", finishReason: "SAFETY" }, /answered no text; finish reason "SAFETY"/],
    ["a blocked prompt", { blockReason: "SAFETY" }, /answered no text; the provider blocked the prompt \(block reason "SAFETY"\)/],
  ])("%s: the aggregator's failure names it, streamed or not", async (_name, script, reason) => {
    const model = `filtered-${Math.random().toString(36).slice(2, 8)}`;
    gemini.setScript(model, script);
    const moa = graph({ aggregator: onGemini(model) });
    expect((await failureOf(moa.invoke(question))).message).toMatch(reason);
    expect((await failureOf(streamed(moa))).message).toMatch(reason);
  });

  it("a proposer stopped by SAFETY is recorded empty with its finish reason, like other providers' proposers", async () => {
    gemini.setScript("unsafe", { text: "", finishReason: "SAFETY" });
    openai.setScript("filtered-proposer", { text: "", finishReason: "content_filter" });
    for (const run of [(moa: ReturnType<typeof graph>) => moa.invoke(question), async (moa: ReturnType<typeof graph>) => (await streamed(moa)).values]) {
      const state = await run(graph({ proposers: [onGemini("unsafe"), onOpenAI("filtered-proposer"), onOllama("fine")], aggregator: onOllama("agg") }));
      expect(state?.trace.layers[0]?.calls.map((c) => [c.id, c.status, c.empty])).toEqual([
        ["google-genai:unsafe", "empty", { reason: "no_text", finishReason: "SAFETY" }],
        ["openai:filtered-proposer", "empty", { reason: "no_text", finishReason: "content_filter" }],
        ["ollama:fine", "ok", undefined],
      ]);
      expect(state?.references).toEqual(["a whole answer"]);
    }
  });
});

describe("a stream that ends without its finish reason", () => {
  it("an aggregator cut after its first tokens fails the turn (its tokens cannot be taken back), and nothing is stored", async () => {
    openai.setScript("cut-aggregator", { text: "the beginning of an answer that goes on", finishReason: null });
    const checkpointer = new MemorySaver();
    const moa = graph({ aggregator: [onOpenAI("cut-aggregator"), onOllama("fallback")], checkpointer });
    const config = { configurable: { thread_id: "cut" } };
    const error = await failureOf(streamed(moa, question, config));
    expect(error.message).toMatch(/openai:cut-aggregator \(provider openai\): IncompleteAnswerError: the answer ended without a finish reason/);
    expect((await moa.getState(config)).values.messages ?? []).toEqual([]);
  });

  it.each([
    ["OpenAI", () => openai, onOpenAI, /IncompleteAnswerError: the answer ended without a finish reason/],
    // The ollama client reads the missing `done` line itself.
    ["Ollama", () => ollama, onOllama, /Did not receive done or success response in stream/],
    ["Gemini", () => gemini, onGemini, /IncompleteAnswerError: the answer ended without a finish reason/],
  ])("%s: a proposer cut that way is retried, and left out when every attempt is cut; it never becomes a reference", async (_name, server, on, cause) => {
    server().setScript("cut-always", { text: "cut short", finishReason: null });
    const asked = () => server().requests.filter((r) => r.model === "cut-always").length;
    const before = asked();
    const state = (await streamed(graph({ proposers: [on("cut-always"), onOllama("fine")], aggregator: onOllama("agg") }))).values;
    expect(state?.trace.layers[0]?.calls.map((c) => c.status)).toEqual(["failed", "ok"]);
    expect(state?.trace.layers[0]?.calls[0]?.error).toMatch(cause);
    expect(asked() - before).toBe(2);
    expect(state?.references).toEqual(["a whole answer"]);
  });

  it("Gemini: a stream cut before its first event (a tool call it never sent) is retried, not read as an empty answer", async () => {
    gemini.setScript("cut-before-calls", { text: "", toolCalls: [{ name: "lookup", args: { q: "x" } }], finishReason: null });
    const asked = () => gemini.requests.filter((r) => r.model === "cut-before-calls").length;
    const before = asked();
    const state = await graph({ proposers: [onGemini("cut-before-calls"), onOllama("fine")], aggregator: onOllama("agg") }).invoke(question);
    expect(state.trace.layers[0]?.calls[0]).toMatchObject({ status: "failed" });
    expect(state.trace.layers[0]?.calls[0]?.error).toMatch(/IncompleteAnswerError/);
    expect(asked() - before).toBe(2);
  });

  it("unstreamed, an aggregator answer without a finish reason is retried, then replaced by the next aggregator", async () => {
    openai.setScript("no-finish", { text: "looks whole", finishReason: null });
    const before = openai.requests.filter((r) => r.model === "no-finish").length;
    const state = await graph({ aggregator: [onOpenAI("no-finish"), onOllama("fallback")] }).invoke(question);
    expect(state.messages.at(-1)?.text).toBe("a whole answer");
    expect(openai.requests.filter((r) => r.model === "no-finish").length - before).toBe(2);
  });
});
