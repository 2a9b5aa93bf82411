/**
 * Usage a provider did not report is unknown, not zero: absent from the trace (turn and layer) and
 * from the final message when no call reported any, and marked partial (`usageMissing` naming the
 * calls) when only some did.
 */
import { HumanMessage, type AIMessage, type AIMessageChunk } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixtureOfAgents, createMixtureOfAgents, getMoATrace, type MoATrace } from "../../src/index.js";
import { turnSummary } from "../../examples/conversation/turn-summary.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";

const question = { messages: [new HumanMessage("q")] };
const silent = (model: string) => new ScriptedChatModel({ model, usage: null });

describe("usage that no call reported", () => {
  it("is absent from the trace and the final message, and every call is named as not reporting", async () => {
    const state = await createMixtureOfAgents({ proposers: [silent("p1"), silent("p2")], aggregator: silent("agg"), layers: 2 }).invoke(question);
    const answer = state.messages.at(-1) as AIMessage;

    expect(answer.usage_metadata).toBeUndefined();
    const trace = getMoATrace(answer);
    expect(trace?.usage).toBeUndefined();
    expect(trace?.layers.map((l) => [l.usage, l.usageMissing])).toEqual([
      [undefined, [{ id: "p1", layer: 1 }, { id: "p2", layer: 1 }]],
      [undefined, [{ id: "p1", layer: 2 }, { id: "p2", layer: 2 }]],
    ]);
    expect(trace?.usageMissing).toEqual([
      { id: "p1", layer: 1 },
      { id: "p2", layer: 1 },
      { id: "p1", layer: 2 },
      { id: "p2", layer: 2 },
      { id: "agg", layer: "aggregate" },
    ]);
    expect(state.trace).toEqual(trace);
  });
});

describe("usage that only some calls reported", () => {
  it("is the sum of what was reported, marked partial with the calls that did not report", async () => {
    const reporting = new ScriptedChatModel({ model: "reporting", usage: { input: 7, output: 3 } });
    const aggregator = new ScriptedChatModel({ model: "agg", usage: { input: 1, output: 2 } });
    const state = await createMixtureOfAgents({ proposers: [reporting, silent("silent")], aggregator }).invoke(question);
    const answer = state.messages.at(-1) as AIMessage;

    expect(answer.usage_metadata).toEqual({ input_tokens: 8, output_tokens: 5, total_tokens: 13 });
    expect(getMoATrace(answer)).toMatchObject({ usage: { input_tokens: 8, output_tokens: 5, total_tokens: 13 }, usageMissing: [{ id: "silent", layer: 1 }] });
    expect(answer.response_metadata.moa).toMatchObject({ calls: 3, usageMissing: 1 });
    expect(state.trace.layers[0]).toMatchObject({ usage: { input_tokens: 7, output_tokens: 3, total_tokens: 10 }, usageMissing: [{ id: "silent", layer: 1 }] });
  });

  it("is not marked partial for calls that failed: they returned no answer to report usage with", async () => {
    const failing = new ScriptedChatModel({ model: "failing", fail: new Error("down") });
    const state = await createMixtureOfAgents({ proposers: [failing, new ScriptedChatModel({ model: "p" })], aggregator: new ScriptedChatModel({ model: "agg" }) }).invoke(question);
    expect(state.trace.usage).toEqual({ input_tokens: 20, output_tokens: 10, total_tokens: 30 });
    expect(state.trace.usageMissing).toBeUndefined();
    expect(state.trace.layers[0]?.usageMissing).toBeUndefined();
  });
});

describe("usage over the wire, as the LangChain clients read a response without it", () => {
  let openai: ProtocolServer;
  let ollama: ProtocolServer;
  beforeAll(async () => {
    [openai, ollama] = await Promise.all([
      // ChatOpenAI reads a response without `usage` as usage_metadata {} (no counts); a stream without
      // its usage chunk as no usage_metadata.
      startOpenAIServer({ models: { "gpt-4o-mini": { text: "A", usage: { input: 11, output: 3 } }, "vllm-model": { text: "B", usage: null }, "vllm-aggregator": { text: "final answer", usage: null } } }),
      // ChatOllama reads a response without `prompt_eval_count` / `eval_count` as zeros.
      startOllamaServer({ models: { "llama3.1:8b": { text: "C", usage: null } } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([openai?.close(), ollama?.close()]);
  });

  const models = () => ({
    proposers: [
      { model: "openai:gpt-4o-mini", baseURL: `${openai.url}/v1`, apiKey: "test-key" },
      { model: "openai:vllm-model", baseURL: `${openai.url}/v1`, apiKey: "test-key" },
      { model: "ollama:llama3.1:8b", baseUrl: ollama.url },
    ],
    aggregator: { model: "openai:vllm-aggregator", baseURL: `${openai.url}/v1`, apiKey: "test-key" },
  });

  it("counts neither an empty usage object nor zeros; the streamed answer's last chunk carries the partial trace", async () => {
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await new MixtureOfAgents(models()).stream("q")) chunks.push(chunk);
    const answer = chunks.reduce((a, b) => a.concat(b));

    expect(answer.text).toBe("final answer");
    expect(answer.usage_metadata).toMatchObject({ input_tokens: 11, output_tokens: 3, total_tokens: 14 });
    const trace = getMoATrace(answer);
    expect(trace?.layers[0]?.calls.map((c) => [c.id, c.usage])).toEqual([
      ["openai:gpt-4o-mini", { input_tokens: 11, output_tokens: 3, total_tokens: 14 }],
      ["openai:vllm-model", undefined],
      ["ollama:llama3.1:8b", undefined],
    ]);
    expect(trace?.usageMissing).toEqual([
      { id: "openai:vllm-model", layer: 1 },
      { id: "ollama:llama3.1:8b", layer: 1 },
      { id: "openai:vllm-aggregator", layer: "aggregate" },
    ]);
  });
});

describe("the conversation example's turn summary", () => {
  const answered = (trace: MoATrace, usage?: AIMessage["usage_metadata"]) => ({ kind: "answered" as const, text: "a", trace, elapsedMs: 2400, ...(usage ? { usage } : {}) });
  const call = (id: string, status: "ok" | "empty" | "failed", usage?: { input_tokens: number; output_tokens: number; total_tokens: number }) => ({
    id,
    model: id,
    layer: 1,
    status,
    startedAt: 0,
    latencyMs: 1,
    ...(usage ? { usage } : {}),
  });
  const usage = { input_tokens: 120, output_tokens: 48, total_tokens: 168 };

  it("says the tokens were not reported instead of 0 in, 0 out", async () => {
    const state = await createMixtureOfAgents({ proposers: [silent("p1")], aggregator: silent("agg") }).invoke(question);
    const answer = state.messages.at(-1) as AIMessage;
    const trace = getMoATrace(answer) as MoATrace;
    expect(turnSummary(answered(trace, answer.usage_metadata))).toBe("2.4 s · 2 calls · tokens not reported");
  });

  it("marks usage some answers did not report as a lower bound, and counts empty answers", () => {
    const trace: MoATrace = {
      layers: [{ layer: 1, wallMs: 1, usage, usageMissing: [{ id: "p2", layer: 1 }, { id: "p3", layer: 1 }], calls: [call("p1", "ok", usage), call("p2", "ok"), call("p3", "empty"), call("p4", "failed")] }],
      aggregator: [{ ...call("agg", "ok"), layer: "aggregate" }],
      usage,
      usageMissing: [{ id: "p2", layer: 1 }, { id: "p3", layer: 1 }, { id: "agg", layer: "aggregate" }],
      calls: 5,
      wallMs: 1,
    };
    expect(turnSummary(answered(trace, usage))).toBe("2.4 s · 5 calls (1 failed, 1 empty) · ≥ 120 tokens in, ≥ 48 out (1 of 4 answers reported)");
  });

  it("shows the cached and reasoning tokens the providers reported, also in a lower bound", () => {
    const detailed = { ...usage, input_token_details: { cache_read: 80 }, output_token_details: { reasoning: 12 } };
    const trace: MoATrace = { layers: [{ layer: 1, wallMs: 1, usage: detailed, calls: [call("p1", "ok", detailed)] }], aggregator: [{ ...call("agg", "ok", detailed), layer: "aggregate" }], usage: detailed, calls: 2, wallMs: 1 };
    expect(turnSummary(answered(trace, detailed))).toBe("2.4 s · 2 calls · 120 tokens in (80 cached), 48 out (12 reasoning)");
    const partial: MoATrace = { ...trace, usageMissing: [{ id: "agg", layer: "aggregate" }] };
    expect(turnSummary(answered(partial, detailed))).toBe("2.4 s · 2 calls · ≥ 120 tokens in (80 cached), ≥ 48 out (12 reasoning) (1 of 2 answers reported)");
  });

  it("is unchanged when every answer reported", () => {
    const trace: MoATrace = { layers: [{ layer: 1, wallMs: 1, usage, calls: [call("p1", "ok", usage)] }], aggregator: [{ ...call("agg", "ok", usage), layer: "aggregate" }], usage, calls: 2, wallMs: 1 };
    expect(turnSummary(answered(trace, usage))).toBe("2.4 s · 2 calls · 120 tokens in, 48 out");
  });
});
