import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AggregatorFailedError, MixtureOfAgents, createMixtureOfAgents, getMoATrace, type ModelSpec } from "../src/index.js";
import { tokenCounter } from "../src/models/token-count.js";
import { shortenReferences } from "../src/prompts/fit-references.js";
import { startOpenAIServer } from "./support/openai-server.js";
import { promptTokens } from "./support/prompt-cache.js";
import type { ProtocolServer } from "./support/protocol-server.js";
import { streamedAnswer } from "./support/streamed-answer.js";

/** About 60,000 characters of prose. */
const VERBOSE = "The answer goes on and on about every detail of the question, one point after another. ".repeat(690);
const SMALL_WINDOW = 4_000;
/** About 1,500 tokens: two fit a 4,000-token window, three do not. */
const MEDIUM = "A long and careful answer that weighs each option in turn. ".repeat(140);

describe("references fit the receiving model's input limit", () => {
  let server: ProtocolServer;
  beforeAll(async () => {
    server = await startOpenAIServer({
      models: {
        verbose: { text: VERBOSE },
        brief: { text: "Short and to the point.", maxInputTokens: SMALL_WINDOW },
        small: { text: "The final answer.", maxInputTokens: SMALL_WINDOW },
        large: { text: "The large model's answer." },
        "gpt-3.5-turbo": { text: "The profiled model's answer.", maxInputTokens: 16_385 },
      },
    });
  });
  afterAll(() => server?.close());

  const at = (model: string, extra: Partial<ModelSpec> = {}): ModelSpec => ({ model: `openai:${model}`, baseURL: `${server.url}/v1`, apiKey: "test-key", ...extra });
  const requestsSince = (start: number) => server.requests.slice(start);
  const question = () => ({ messages: [new HumanMessage("Explain the trade-offs in detail.")] });

  it("without a known limit, a 60,000-character proposal overflows a small model's context and the turn fails (the failure this prevents)", async () => {
    const graph = createMixtureOfAgents({ proposers: [at("verbose"), at("brief")], aggregator: at("small") });
    const error = await graph.invoke(question()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregatorFailedError);
    expect((error as AggregatorFailedError).failures[0]?.kind).toBe("context_overflow");
  });

  it("with maxInputTokens, every reference is shortened in proportion, with a marker, the trace says what was cut, and the turn answers", async () => {
    const start = server.requests.length;
    const graph = createMixtureOfAgents({
      proposers: [at("verbose"), at("brief", { maxInputTokens: SMALL_WINDOW })],
      aggregator: at("small", { maxInputTokens: SMALL_WINDOW }),
      layers: 2,
    });
    const state = await graph.invoke(question());

    expect(state.messages.at(-1)?.text).toBe("The final answer.");
    const sent = requestsSince(start);
    const small = sent.filter((r) => r.model === "small" || r.model === "brief");
    expect(small.map((r) => promptTokens(r.messages).length).every((tokens) => tokens <= SMALL_WINDOW)).toBe(true);
    const aggregatorText = sent.find((r) => r.model === "small")?.messages.at(-1)?.content ?? "";
    expect(aggregatorText).toMatch(/\[… \d+ of \d+ tokens cut to fit the model's input limit\]/);

    const [aggregatorCall] = state.trace.aggregator;
    expect(aggregatorCall?.status).toBe("ok");
    const cuts = aggregatorCall?.cuts ?? [];
    expect(cuts.map((cut) => cut.reference)).toEqual([0, 1]);
    expect(cuts.every((cut) => cut.keptTokens < cut.tokens)).toBe(true);
    // In proportion: each keeps the same share of its tokens (rounded down to a whole token).
    const longest = cuts.reduce((a, b) => (b.tokens > a.tokens ? b : a));
    const share = longest.keptTokens / longest.tokens;
    expect(cuts.every((cut) => Math.abs(cut.keptTokens - cut.tokens * share) <= 1)).toBe(true);
    // Layer 2: the small proposer's references were cut too, the large one's were not.
    const layer2 = state.trace.layers[1]?.calls ?? [];
    expect(layer2.find((call) => call.id.includes("brief"))?.cuts?.length).toBe(2);
    expect(layer2.find((call) => call.id.includes("verbose"))?.cuts).toBeUndefined();
  });

  it("takes the limit from the model's LangChain profile when the spec gives none", async () => {
    const start = server.requests.length;
    const profiled = new ChatOpenAI({ model: "gpt-3.5-turbo", apiKey: "test-key", configuration: { baseURL: `${server.url}/v1` }, maxRetries: 0 });
    expect(profiled.profile.maxInputTokens).toBe(16_385);
    const verbose = { ...at("verbose") };
    const state = await createMixtureOfAgents({ proposers: [verbose, verbose, verbose], aggregator: profiled }).invoke(question());
    expect(state.messages.at(-1)?.text).toBe("The profiled model's answer.");
    const request = requestsSince(start).find((r) => r.model === "gpt-3.5-turbo");
    expect(promptTokens(request?.messages ?? []).length).toBeLessThanOrEqual(16_385);
    expect(state.trace.aggregator[0]?.cuts).toHaveLength(3);
  });

  it("never sends a conversation that is too long by itself: that proposer is left out, that aggregator gives way to the next", async () => {
    const start = server.requests.length;
    const longQuestion = { messages: [new HumanMessage(`Summarise this: ${VERBOSE}`)] };
    const small = at("small", { maxInputTokens: SMALL_WINDOW });
    const graph = createMixtureOfAgents({ proposers: [small, at("large")], aggregator: [small, at("large")] });
    const state = await graph.invoke(longQuestion);
    expect(state.messages.at(-1)?.text).toBe("The large model's answer.");
    expect(requestsSince(start).filter((r) => r.model === "small")).toHaveLength(0);
    const [refusedProposer] = state.trace.layers[0]?.calls ?? [];
    expect(refusedProposer?.status).toBe("failed");
    expect(refusedProposer?.error).toMatch(/the request holds \d+ tokens, over 3600 \(90 % of the model's input limit of 4000 tokens\)/);
    const [refused] = state.trace.aggregator;
    expect(refused?.status).toBe("failed");
    expect(refused?.error).toMatch(/before any reference, over 3600 \(90 % of the model's input limit of 4000 tokens\)/);
  });
});

describe('referenceFit: "windows" (Self-MoA-Seq)', () => {
  let server: ProtocolServer;
  let answers = 0;
  beforeAll(async () => {
    server = await startOpenAIServer({
      models: {
        medium: { text: MEDIUM },
        windowed: { text: () => `Answer ${++answers} of the windowed aggregator.`, maxInputTokens: SMALL_WINDOW },
      },
    });
  });
  afterAll(() => server?.close());

  it("reads references that do not fit together a window at a time, carries its answer forward, and streams only the last window's answer", async () => {
    const at = (model: string, extra: Partial<ModelSpec> = {}): ModelSpec => ({ model: `openai:${model}`, baseURL: `${server.url}/v1`, apiKey: "test-key", ...extra });
    const moa = new MixtureOfAgents({ proposers: [at("medium"), at("medium"), at("medium")], aggregator: at("windowed", { maxInputTokens: SMALL_WINDOW }), referenceFit: "windows" });
    const { text: streamed, final } = await streamedAnswer(moa, "Compare the options.");

    expect(streamed).toBe("Answer 2 of the windowed aggregator.");
    const asked = server.requests.filter((r) => r.model === "windowed").map((r) => r.messages.at(-1)?.content ?? "");
    expect(asked).toHaveLength(2);
    expect(asked.every((text) => !text.includes("tokens cut to fit"))).toBe(true);
    // Window 1: the first two references whole; window 2: the carried answer, then the third reference.
    expect(asked[0]?.match(/A long and careful answer/g)?.length).toBe(2 * 140);
    expect(asked[1]).toContain("1. Answer 1 of the windowed aggregator.");
    expect(asked[1]?.match(/A long and careful answer/g)?.length).toBe(140);
    const trace = final ? getMoATrace(final) : undefined;
    expect(trace?.aggregator.map((call) => [call.status, call.window])).toEqual([["ok", 1], ["ok", 2]]);
    expect(trace?.calls).toBe(5);
  });
});

describe("shortenReferences", () => {
  it("keeps references that fit, and cuts each one that does not fit to the same share, ending it with a marker", async () => {
    const counter = await tokenCounter();
    const references = ["one two three four five six seven eight nine ten ".repeat(20), "alpha beta gamma ".repeat(20)];
    expect(shortenReferences(references, 10_000, counter)).toEqual({ references, cuts: [] });
    const { references: cut, cuts } = shortenReferences(references, 120, counter);
    const total = cut.reduce((sum, text) => sum + counter.count(text), 0);
    expect(total).toBeLessThanOrEqual(120);
    const shares = cuts.map((c) => c.keptTokens / c.tokens);
    expect(Math.abs((shares[0] ?? 0) - (shares[1] ?? 1))).toBeLessThan(0.05);
    expect(cut[0]).toMatch(/^one two three .*\n\[… \d+ of \d+ tokens cut to fit the model's input limit\]$/s);
  });
});

describe("fitting, at its edges", () => {
  let server: ProtocolServer;
  let drafts = 0;
  beforeAll(async () => {
    server = await startOpenAIServer({
      models: {
        repeating: { text: "a".repeat(30_000) },
        short: { text: "Yes, and here is why: it fits." },
        medium: { text: MEDIUM },
        tiny: { text: "The final answer.", maxInputTokens: 2_000 },
        windowed: { text: () => `Answer ${++drafts}.`, maxInputTokens: SMALL_WINDOW },
      },
    });
  });
  afterAll(() => server?.close());
  const at = (model: string, extra: Partial<ModelSpec> = {}): ModelSpec => ({ model: `openai:${model}`, baseURL: `${server.url}/v1`, apiKey: "test-key", ...extra });

  it("counts prose exactly as the model's encoding does, and cuts a run without spaces cleanly", async () => {
    const counter = await tokenCounter();
    const { Tiktoken } = await import("js-tiktoken/lite");
    const { default: ranks } = await import("js-tiktoken/ranks/o200k_base");
    const prose = "The answer goes on and on, one point after another. ".repeat(300);
    expect(counter.count(prose)).toBe(new Tiktoken(ranks).encode(prose, [], []).length);
    const astronauts = counter.truncate("🧑🏽‍🚀 ".repeat(300), 50);
    expect(astronauts).not.toMatch(/\uFFFD$/u);
    expect(counter.count(astronauts)).toBeLessThanOrEqual(50);
  });

  it("a proposal that repeats one character is cut to fit like any other", async () => {
    const state = await createMixtureOfAgents({ proposers: [at("repeating"), at("short")], aggregator: at("tiny", { maxInputTokens: 2_000 }) }).invoke({ messages: [new HumanMessage("Well?")] });
    expect(state.messages.at(-1)?.text).toBe("The final answer.");
    expect(state.trace.aggregator[0]?.cuts?.[0]?.keptTokens).toBeLessThan(state.trace.aggregator[0]?.cuts?.[0]?.tokens ?? 0);
  });

  it("refuses, without sending, references too many to fit even cut to their markers", async () => {
    const start = server.requests.length;
    const graph = createMixtureOfAgents({ proposers: [{ ...at("short"), samples: 300 }], aggregator: at("tiny", { maxInputTokens: 2_000 }) });
    const error = await graph.invoke({ messages: [new HumanMessage("Well?")] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AggregatorFailedError);
    expect((error as AggregatorFailedError).message).toMatch(/its 300 references do not fit the \d+ tokens left .* even cut to their markers: use referenceFit "windows"/);
    expect(server.requests.slice(start).filter((r) => r.model === "tiny")).toHaveLength(0);
  });

  it("counts the arguments of the conversation's tool calls", async () => {
    const start = server.requests.length;
    const conversation = [
      new HumanMessage("Summarise the document."),
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "read", args: { doc: "word ".repeat(20_000) } }] }),
      new ToolMessage({ content: "done", tool_call_id: "c1" }),
      new HumanMessage("And now?"),
    ];
    const error = await createMixtureOfAgents({ proposers: [at("short")], aggregator: at("tiny", { maxInputTokens: 2_000 }) }).invoke({ messages: conversation }).catch((e: unknown) => e);
    expect((error as AggregatorFailedError).failures?.[0]?.kind).toBe("context_overflow");
    expect(server.requests.slice(start).filter((r) => r.model === "tiny")).toHaveLength(0);
  });

  it("asks a draft window the conversation's tool calls and results as text: it is asked without tools", async () => {
    const lookup = tool(async () => "Paris", { name: "lookup", description: "Looks a fact up.", schema: z.object({ q: z.string() }) });
    const conversation = [
      new HumanMessage("What is the capital of France?"),
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "lookup", args: { q: "capital of France" } }] }),
      new ToolMessage({ content: "Paris", tool_call_id: "c1" }),
    ];
    const start = server.requests.length;
    const graph = createMixtureOfAgents({ proposers: [at("medium"), at("medium"), at("medium")], aggregator: at("windowed", { maxInputTokens: SMALL_WINDOW }), referenceFit: "windows", tools: [lookup], proposeOn: "every_call" });
    await graph.invoke({ messages: conversation });
    const asked = server.requests.slice(start).filter((r) => r.model === "windowed");
    expect(asked).toHaveLength(2);
    expect(asked[0]?.tools).toEqual([]);
    expect(asked[0]?.messages.some((m) => m.role === "tool" || m.toolCalls !== undefined)).toBe(false);
    expect(asked[1]?.tools).toEqual(["lookup"]);
    expect(asked[1]?.messages.some((m) => m.role === "tool")).toBe(true);
  });
});
