/**
 * An answer with no text (empty, whitespace, only tool calls, only reasoning) is not a proposal: it is
 * recorded as `empty` with its reason, does not count toward `minProposals` or a quorum, and never
 * becomes a reference.
 */
import { HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  MixtureOfAgents,
  PROPOSAL_EVENT,
  ProposersFailedError,
  createMixtureOfAgents,
  formatProposal,
  getMoATrace,
  type MoAState,
  type MoATrace,
  type ProposalEvent,
} from "../../src/index.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";
import { AnswerModel } from "./answer-model.js";

const question = { messages: [new HumanMessage("What is the capital of France?")] };
const candidates = (model: ScriptedChatModel) => model.calls[0]?.[0]?.text.split("Candidate responses:\n\n")[1];

/** A reasoning model that spent its budget thinking, as ChatOpenAI reads vLLM's or DeepSeek's answer. */
const outOfBudget = (name: string, delayMs = 0) =>
  new AnswerModel(name, { content: "", additional_kwargs: { reasoning_content: "Let me think about France..." }, response_metadata: { finish_reason: "length" } }, delayMs);

describe("an answer with no text", () => {
  it("is recorded as empty with its reason, and never reaches the aggregator as a reference", async () => {
    const thinker = outOfBudget("thinker");
    const tooler = new ScriptedChatModel({ model: "tooler", answer: "", toolCalls: [{ name: "search", args: { q: "capital of France" } }] });
    const blank = new ScriptedChatModel({ model: "blank", answer: " \n\n " });
    const good = new ScriptedChatModel({ model: "good", answer: "Paris is the capital." });
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "Paris." });
    const events: ProposalEvent[] = [];
    let trace: MoATrace | undefined;
    const stream = await createMixtureOfAgents({ proposers: [thinker, tooler, blank, good], aggregator }).stream(question, { streamMode: ["custom", "values"] });
    for await (const [mode, payload] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === "custom") {
        if ((payload as ProposalEvent).event === PROPOSAL_EVENT) events.push(payload as ProposalEvent);
      } else trace = (payload as MoAState).trace;
    }

    expect(candidates(aggregator)).toBe("1. Paris is the capital.");
    expect(trace?.layers[0]?.calls.map((c) => [c.id, c.status, c.empty])).toEqual([
      ["thinker", "empty", { reason: "reasoning_only", finishReason: "length" }],
      ["tooler", "empty", { reason: "tool_calls_only" }],
      ["blank", "empty", { reason: "no_text" }],
      ["good", "ok", undefined],
    ]);
    expect(trace?.layers[0]?.calls.map((c) => c.error)).toEqual([
      'thinker: answered no text, only reasoning; it stopped at its token limit (finish reason "length"): raise its maxTokens',
      "tooler: answered no text, only tool calls (a proposer advises in text: give it without tools bound)",
      "blank: answered no text",
      undefined,
    ]);

    const byId = new Map(events.map((e) => [e.id, e]));
    expect(byId.get("thinker")).toMatchObject({ event: "moa_proposal", empty: { reason: "reasoning_only", finishReason: "length" }, error: { name: "EmptyAnswerError" } });
    expect(byId.get("thinker")?.text).toBeUndefined();
    expect(byId.get("good")).toMatchObject({ text: "Paris is the capital." });
    expect(formatProposal(byId.get("blank") as ProposalEvent)).toMatch(/^\[MoA layer 1 · blank · \d+\.\ds · 10 tokens in, 5 out\] empty: blank: answered no text$/);
  });

  it("does not count toward minProposals: ProposersFailedError names the empty ones and why", async () => {
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const good = new ScriptedChatModel({ model: "good", answer: "Paris." });
    const error = await createMixtureOfAgents({ proposers: [outOfBudget("thinker"), good], aggregator, minProposals: 2 })
      .invoke(question)
      .catch((e: unknown) => e);

    expect(ProposersFailedError.isInstance(error)).toBe(true);
    const failed = error as ProposersFailedError;
    expect(failed.message).toBe(
      'Layer 1: 1 proposal(s) succeeded, at least 2 required (minProposals). Causes: thinker: answered no text, only reasoning; it stopped at its token limit (finish reason "length"): raise its maxTokens',
    );
    expect(failed.failures.map((f) => [f.id, f.layer, f.error.name])).toEqual([["thinker", 1, "EmptyAnswerError"]]);
    expect(aggregator.calls).toHaveLength(0);
  });

  it("a layer of only empty answers fails instead of aggregating nothing", async () => {
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const blank = new ScriptedChatModel({ model: "blank", answer: "" });
    const error = await createMixtureOfAgents({ proposers: [blank, outOfBudget("thinker")], aggregator }).invoke(question).catch((e: unknown) => e);

    expect(ProposersFailedError.isInstance(error)).toBe(true);
    expect((error as ProposersFailedError).message).toMatch(/^Layer 1: 0 proposal\(s\) succeeded, at least 1 required \(minProposals\)\. Causes: blank: answered no text; thinker: answered no text, only reasoning/);
    expect(aggregator.calls).toHaveLength(0);
  });

  it("is left out of the next layer's references too", async () => {
    const blank = new ScriptedChatModel({ model: "blank", answer: "" });
    const good = new ScriptedChatModel({ model: "good", answer: (_messages, call) => `answer ${call + 1}` });
    const aggregator = new ScriptedChatModel({ model: "agg" });
    await createMixtureOfAgents({ proposers: [blank, good], aggregator, layers: 2 }).invoke(question);

    expect(candidates(good)).toBeUndefined();
    expect(good.calls[1]?.[0]?.text.split("Candidate responses:\n\n")[1]).toBe("1. answer 1");
    expect(candidates(aggregator)).toBe("1. answer 2");
  });

  it("does not reach a quorum: the layer still waits for a real answer", async () => {
    const slow = new ScriptedChatModel({ model: "slow", answer: "Paris, after some thought.", delayMs: 300 });
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const state = await createMixtureOfAgents({ proposers: [outOfBudget("fast"), slow], aggregator, quorum: { min: 1, graceMs: 20 } }).invoke(question);

    expect(state.trace.layers[0]?.calls.map((c) => [c.id, c.status])).toEqual([["fast", "empty"], ["slow", "ok"]]);
    expect(candidates(aggregator)).toBe("1. Paris, after some thought.");
  });
});

describe("an empty answer over the OpenAI wire protocol (a reasoning model on vLLM out of tokens)", () => {
  let server: ProtocolServer;
  beforeAll(async () => {
    server = await startOpenAIServer({
      models: {
        "deepseek-r1": { text: "", usage: { input: 12, output: 256 } },
        "qwen2.5": { text: "Paris is the capital of France.", usage: { input: 12, output: 8 } },
        aggregator: { text: "Paris." },
      },
      reasoning: { "deepseek-r1": { reasoningContent: "The user asks about France. Let me recall...", finishReason: "length" } },
    });
  });
  afterAll(() => server?.close());

  it("is recorded as empty with the server's finish reason; only the real answer is a reference", async () => {
    const at = (model: string) => ({ model: `openai:${model}`, baseURL: `${server.url}/v1`, apiKey: "test-key" });
    const moa = new MixtureOfAgents({ proposers: [at("deepseek-r1"), at("qwen2.5")], aggregator: at("aggregator") });
    const answer = await moa.invoke("What is the capital of France?");

    const aggregatorRequest = server.requests.find((r) => r.model === "aggregator");
    expect(aggregatorRequest?.messages[0]?.content.split("Candidate responses:\n\n")[1]).toBe("1. Paris is the capital of France.");
    const calls = getMoATrace(answer)?.layers[0]?.calls;
    expect(calls?.map((c) => [c.id, c.status, c.empty, c.usage?.output_tokens])).toEqual([
      ["openai:deepseek-r1", "empty", { reason: "reasoning_only", finishReason: "length" }, 256],
      ["openai:qwen2.5", "ok", undefined, 8],
    ]);
    expect(calls?.[0]?.error).toBe('openai:deepseek-r1 (provider openai): answered no text, only reasoning; it stopped at its token limit (finish reason "length"): raise its maxTokens');
  });
});
