import { BaseCallbackHandler, type HandleLLMNewTokenCallbackFields, type NewTokenIndices } from "@langchain/core/callbacks/base";
import { HumanMessage, type AIMessageChunk } from "@langchain/core/messages";
import { concat } from "@langchain/core/utils/stream";
import { describe, expect, it } from "vitest";
import { MixtureOfAgents } from "../../src/index.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";

/** Records every token callback with the run it belongs to, and every chat model run started. */
class TokenRecorder extends BaseCallbackHandler {
  name = "token_recorder";
  readonly tokens: Array<{ token: string; runId: string }> = [];
  readonly chatRuns: Array<{ runId: string; parentRunId?: string; tags: string[] }> = [];

  constructor(readonly lc_prefer_streaming = false) {
    super();
  }

  override handleLLMNewToken(token: string, _idx: NewTokenIndices, runId: string, _parent?: string, _tags?: string[], _fields?: HandleLLMNewTokenCallbackFields): void {
    this.tokens.push({ token, runId });
  }

  override handleChatModelStart(_llm: unknown, _messages: unknown, runId: string, parentRunId?: string, _extra?: unknown, tags?: string[]): void {
    this.chatRuns.push({ runId, ...(parentRunId ? { parentRunId } : {}), tags: tags ?? [] });
  }

  /** The run of the MoA itself: the one chat model run without a parent. */
  rootRun(): string | undefined {
    return this.chatRuns.find((run) => run.parentRunId === undefined)?.runId;
  }
}

function mixture(fields: Record<string, unknown> = {}) {
  const proposers = [new ScriptedChatModel({ model: "p1", answer: "alpha beta" }), new ScriptedChatModel({ model: "p2", answer: "gamma delta" })];
  const aggregator = new ScriptedChatModel({ model: "agg", answer: "the final answer" });
  return { moa: new MixtureOfAgents({ proposers, aggregator, layers: 2, ...fields }), proposers, aggregator };
}

const ANSWER_TOKENS = ["the ", "final ", "answer"];

describe("callbacks see the answer's tokens once each, as the MoA run's own", () => {
  it("a handler given to stream()", async () => {
    const { moa } = mixture();
    const recorder = new TokenRecorder();
    let text = "";
    for await (const chunk of await moa.stream([new HumanMessage("q")], { callbacks: [recorder] })) text += chunk.text;
    expect(text).toBe("the final answer");
    expect(recorder.tokens.filter((t) => t.token !== "").map((t) => t.token)).toEqual(ANSWER_TOKENS);
    expect(new Set(recorder.tokens.map((t) => t.runId))).toEqual(new Set([recorder.rootRun()]));
    // The inner calls are child runs, tagged.
    const children = recorder.chatRuns.filter((run) => run.parentRunId !== undefined);
    expect(children.filter((run) => run.tags.includes("moa:proposer"))).toHaveLength(4);
    expect(children.filter((run) => run.tags.includes("moa:aggregator"))).toHaveLength(1);
  });

  it("a streaming-preferring handler under invoke(): no proposer streams, and only the answer's tokens arrive", async () => {
    const { moa, proposers } = mixture();
    const recorder = new TokenRecorder(true);
    const answer = await moa.invoke([new HumanMessage("q")], { callbacks: [recorder] });
    expect(answer.text).toBe("the final answer");
    expect(recorder.tokens.filter((t) => t.token !== "").map((t) => t.token)).toEqual(ANSWER_TOKENS);
    expect(new Set(recorder.tokens.map((t) => t.runId))).toEqual(new Set([recorder.rootRun()]));
    expect(proposers.map((p) => p.streamedTokens)).toEqual([0, 0]);
  });

  it("a handler given to the constructor: the answer's tokens once, the inner calls as child runs", async () => {
    const recorder = new TokenRecorder();
    const { moa } = mixture({ callbacks: [recorder] });
    for await (const _ of await moa.stream([new HumanMessage("q")])) void _;
    expect(recorder.tokens.filter((t) => t.token !== "").map((t) => t.token)).toEqual(ANSWER_TOKENS);
    expect(new Set(recorder.tokens.map((t) => t.runId))).toEqual(new Set([recorder.rootRun()]));
    // The MoA run, 2 proposers x 2 layers, the aggregator.
    expect(recorder.chatRuns).toHaveLength(6);
  });

  it("streaming: true makes invoke() report the answer's tokens", async () => {
    const recorder = new TokenRecorder();
    const { moa } = mixture({ streaming: true });
    const answer = await moa.invoke([new HumanMessage("q")], { callbacks: [recorder] });
    expect(answer.text).toBe("the final answer");
    expect(recorder.tokens.map((t) => t.token)).toEqual(ANSWER_TOKENS);
  });

  it("without streaming, invoke() reports no tokens", async () => {
    const recorder = new TokenRecorder();
    const { moa } = mixture();
    await moa.invoke([new HumanMessage("q")], { callbacks: [recorder] });
    expect(recorder.tokens).toEqual([]);
  });
});

describe("a graph that runs the MoA in a node, streamMode messages", () => {
  it.each(["invoke", "stream"] as const)("shows the answer once when the node calls moa.%s", async (how) => {
    const { END, MessagesAnnotation, START, StateGraph } = await import("@langchain/langgraph");
    const { moa } = mixture();
    const app = new StateGraph(MessagesAnnotation)
      .addNode("answer", async (state, config) => {
        if (how === "invoke") return { messages: [await moa.invoke(state.messages, config)] };
        let whole: AIMessageChunk | undefined;
        for await (const chunk of await moa.stream(state.messages, config)) whole = whole ? concat(whole, chunk) : chunk;
        return { messages: whole ? [whole] : [] };
      })
      .addEdge(START, "answer")
      .addEdge("answer", END)
      .compile();
    let text = "";
    for await (const [chunk] of await app.stream({ messages: [new HumanMessage("q")] }, { streamMode: "messages" })) text += chunk.text;
    expect(text).toBe("the final answer");
  });
});

describe("streamEvents v2", () => {
  it("the MoA run's own on_chat_model_stream events, joined, are the answer once; inner runs only start and end", async () => {
    const { moa } = mixture();
    const events = [];
    for await (const event of moa.streamEvents([new HumanMessage("q")], { version: "v2" })) events.push(event);
    const root = events.find((e) => e.event === "on_chat_model_start")?.run_id;
    const streamed = events.filter((e) => e.event === "on_chat_model_stream");
    expect(streamed.every((e) => e.run_id === root)).toBe(true);
    expect(streamed.map((e) => (e.data.chunk as { text: string }).text).join("")).toBe("the final answer");
    const innerStarts = events.filter((e) => e.event === "on_chat_model_start" && e.run_id !== root);
    expect(innerStarts.map((e) => e.tags?.find((tag) => tag.startsWith("moa:"))).sort()).toEqual(["moa:aggregator", ...Array(4).fill("moa:proposer")]);
  });

  it("inside a chain, the MoA's stream events are still the answer once", async () => {
    const { moa } = mixture();
    const chain = moa.withConfig({ runName: "outer" }).pipe((message) => message.text.toUpperCase());
    const events = [];
    for await (const event of chain.streamEvents([new HumanMessage("q")], { version: "v2" })) events.push(event);
    const moaRun = events.find((e) => e.event === "on_chat_model_start" && e.name === "outer")?.run_id;
    const streamed = events.filter((e) => e.event === "on_chat_model_stream");
    expect(streamed.every((e) => e.run_id === moaRun)).toBe(true);
    expect(streamed.map((e) => (e.data.chunk as { text: string }).text).join("")).toBe("the final answer");
  });
});
