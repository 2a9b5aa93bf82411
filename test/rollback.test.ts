import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { MemorySaver, MessagesAnnotation, START, StateGraph, type Checkpoint, type CheckpointMetadata } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { AggregatorFailedError, MoATimeoutError, ProposersFailedError, createMixtureOfAgents, type MixtureOfAgentsGraph, type MixtureOfAgentsOptions } from "../src/index.js";
import { RollbackGraph } from "../src/graph/rollback-graph.js";
import { brief } from "./support/conversation.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

const thread = { configurable: { thread_id: "t" } };
const ask = (text: string) => ({ messages: [new HumanMessage(text)] });
/** Fails the model's `n`-th call (0-based) only. */
const failCall = (n: number) => (call: number) => (call === n ? new Error("down") : undefined);

/** What a turn must not change: the state's values, and nothing pending. */
async function threadState(graph: MixtureOfAgentsGraph, config: RunnableConfig = thread) {
  const { values, next } = await graph.getState(config);
  const messages = (values.messages ?? []) as BaseMessage[];
  return { values, next, messages: messages.map((m) => [m.id, m.getType(), m.text]) };
}

/** An MoA on `saver` (a fresh one by default) that answers "answer <n>". */
function moa(options: Partial<MixtureOfAgentsOptions> = {}, saver = new MemorySaver()) {
  return createMixtureOfAgents({
    proposers: [new ScriptedChatModel({ model: "p" })],
    aggregator: new ScriptedChatModel({ model: "agg", answer: (_m, call) => `answer ${call + 1}` }),
    checkpointer: saver,
    ...options,
  });
}

/** An MoA on the same thread store as `graph`, whose proposer takes `delayMs` and aggregator streams slowly. */
function slowTwin(graph: MixtureOfAgentsGraph, delayMs: number, options: Partial<MixtureOfAgentsOptions> = {}) {
  const aggregator = new ScriptedChatModel({ model: "agg", answer: "a slow answer in many words", tokenDelayMs: 20 });
  const twin = moa({ proposers: [new ScriptedChatModel({ model: "p", delayMs })], aggregator, ...options }, graph.checkpointer as MemorySaver);
  return { twin, aggregator };
}

/** Ways to run a turn: each consumes it whole and throws what the turn throws. */
const runners: Record<string, (graph: MixtureOfAgentsGraph, input: ReturnType<typeof ask>, config: RunnableConfig) => Promise<unknown>> = {
  invoke: (graph, input, config) => graph.invoke(input, config),
  "stream (values)": async (graph, input, config) => {
    for await (const _ of await graph.stream(input, { ...config, streamMode: "values" }));
  },
  "stream (messages)": async (graph, input, config) => {
    for await (const _ of await graph.stream(input, { ...config, streamMode: "messages" }));
  },
  streamEvents: async (graph, input, config) => {
    for await (const _ of graph.streamEvents(input, { ...config, version: "v2" }));
  },
};

/** Runs a successful turn, then `failing` (which must reject), checks the thread is as before, then re-sends. */
async function expectRolledBack(graph: MixtureOfAgentsGraph, failing: (input: ReturnType<typeof ask>) => Promise<unknown>, config: RunnableConfig = thread) {
  await graph.invoke(ask("first"), config);
  const before = await threadState(graph, config);
  expect(before.messages.map(([, type]) => type)).toEqual(["human", "ai"]);

  const error = await failing(ask("second")).then(() => undefined, (e: unknown) => e);
  expect(error).toBeDefined();
  expect(await threadState(graph, config)).toEqual({ ...before, next: [] });

  const resent = await graph.invoke(ask("second"), config);
  expect(brief(resent.messages)).toEqual([["human", "first"], ["ai", "answer 1"], ["human", "second"], ["ai", expect.any(String)]]);
  expect(brief((await threadState(graph, config)).values.messages)).toEqual(brief(resent.messages));
  return error;
}

describe("a failed turn leaves the thread as it was", () => {
  for (const [name, run] of Object.entries(runners)) {
    it(`when every proposer fails (${name})`, async () => {
      const graph = moa({ proposers: [new ScriptedChatModel({ model: "p", fail: failCall(1) })] });
      const error = await expectRolledBack(graph, (input) => run(graph, input, thread));
      expect(ProposersFailedError.isInstance(error)).toBe(true);
    });

    it(`when the aggregator fails (${name})`, async () => {
      const aggregator = new ScriptedChatModel({ model: "agg", answer: (_m, call) => `answer ${call + 1}`, fail: failCall(1) });
      const graph = moa({ aggregator });
      const error = await expectRolledBack(graph, (input) => run(graph, input, thread));
      expect(AggregatorFailedError.isInstance(error)).toBe(true);
    });
  }

  it("on the first turn of a thread: the thread is empty again", async () => {
    const graph = moa({ proposers: [new ScriptedChatModel({ model: "p", fail: failCall(0) })] });
    const before = await threadState(graph);
    await expect(graph.invoke(ask("first"), thread)).rejects.toSatisfy(ProposersFailedError.isInstance);
    expect(await threadState(graph)).toEqual(before);
    expect(before.values).toEqual({});

    const resent = await graph.invoke(ask("first"), thread);
    expect(brief(resent.messages)).toEqual([["human", "first"], ["ai", "answer 1"]]);
  });

  it("when the turn times out (timeouts.turnMs)", async () => {
    const graph = moa();
    const { twin } = slowTwin(graph, 200, { timeouts: { turnMs: 30 } });
    const error = await expectRolledBack(graph, (input) => twin.invoke(input, thread));
    expect(MoATimeoutError.isInstance(error)).toBe(true);
  });

  it("when the caller's timeout expires", async () => {
    const graph = moa();
    const { twin } = slowTwin(graph, 200);
    const error = await expectRolledBack(graph, (input) => twin.invoke(input, { ...thread, timeout: 30 }));
    expect((error as Error).name).toBe("TimeoutError");
  });

  it("when the caller aborts while a proposer is slow", async () => {
    const graph = moa();
    const { twin } = slowTwin(graph, 500);
    const controller = new AbortController();
    const error = await expectRolledBack(graph, (input) => {
      setTimeout(() => controller.abort(new Error("stopped by the user")), 30);
      return twin.invoke(input, { ...thread, signal: controller.signal });
    });
    expect((error as Error).message).toBe("stopped by the user");
  });

  it("when the consumer leaves the stream early, which cancels the run", async () => {
    const graph = moa();
    const { twin, aggregator } = slowTwin(graph, 0);
    let tokensAtBreak = 0;
    await expectRolledBack(graph, async (input) => {
      for await (const [, metadata] of await twin.stream(input, { ...thread, streamMode: "messages" })) {
        if (metadata.langgraph_node !== "aggregate") continue;
        tokensAtBreak = aggregator.streamedTokens;
        break;
      }
      throw new Error("left early");
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tokensAtBreak).toBeGreaterThan(0);
    expect(aggregator.streamedTokens).toBeLessThanOrEqual(tokensAtBreak + 1);
  });

  it("when the stream is cancelled, which cancels the run", async () => {
    const graph = moa();
    const { twin, aggregator } = slowTwin(graph, 0);
    const error = await expectRolledBack(graph, async (input) => {
      const stream = await twin.stream(input, { ...thread, streamMode: "messages" });
      let cancelled: Promise<void> | undefined;
      for await (const [, metadata] of stream) {
        if (metadata.langgraph_node === "aggregate") cancelled ??= stream.cancel();
      }
      await cancelled;
      throw new Error("cancelled");
    });
    expect((error as Error).message).toBe("cancelled");
    const tokens = aggregator.streamedTokens;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(aggregator.streamedTokens).toBeLessThanOrEqual(tokens + 1);
  });

  it("when the stream is cancelled before it is read", async () => {
    const graph = moa();
    const { twin } = slowTwin(graph, 300);
    await expectRolledBack(graph, async (input) => {
      await (await twin.stream(input, { ...thread, streamMode: "values" })).cancel();
      throw new Error("cancelled");
    });
  });

  it("on a thread given by withConfig, which keeps the rollback", async () => {
    const config = { configurable: { thread_id: "bound" } };
    const base = moa({ proposers: [new ScriptedChatModel({ model: "p", fail: failCall(1) })] });
    const graph = base.withConfig(config);
    expect(graph).toBeInstanceOf(RollbackGraph);
    const error = await expectRolledBack(graph, (input) => graph.invoke(input), config);
    expect(ProposersFailedError.isInstance(error)).toBe(true);
  });
});

describe("what the rollback leaves alone", () => {
  it("a successful turn is kept", async () => {
    const graph = moa();
    const state = await graph.invoke(ask("q"), thread);
    const saved = await threadState(graph);
    expect(brief(state.messages)).toEqual([["human", "q"], ["ai", "answer 1"]]);
    // The turn's working state (its proposals, its last references) is not stored with its answer.
    expect(saved.values).toEqual({ ...state, proposals: [], references: [] });
    expect(state.proposals).toHaveLength(1);
    expect(saved.next).toEqual([]);
  });

  it("a run as a subgraph: the parent graph's thread keeps LangGraph's own behaviour", async () => {
    const inner = moa({ proposers: [new ScriptedChatModel({ model: "p", fail: failCall(1) })] });
    const parent = new StateGraph(MessagesAnnotation).addNode("moa", inner).addEdge(START, "moa").compile({ checkpointer: new MemorySaver() });
    expect(brief((await parent.invoke(ask("first"), thread)).messages)).toEqual([["human", "first"], ["ai", "answer 1"]]);
    await expect(parent.invoke(ask("second"), thread)).rejects.toSatisfy(ProposersFailedError.isInstance);
    const saved = await parent.getState(thread);
    expect(saved.next).toEqual(["moa"]);
    expect(brief(saved.values.messages).at(-1)).toEqual(["human", "second"]);
  });

  it("a graph without a checkpointer works and fails as before", async () => {
    const graph = moa({ checkpointer: undefined, proposers: [new ScriptedChatModel({ model: "p", fail: failCall(1) })] });
    expect(brief((await graph.invoke(ask("q"))).messages)).toEqual([["human", "q"], ["ai", "answer 1"]]);
    await expect(graph.invoke(ask("q"))).rejects.toSatisfy(ProposersFailedError.isInstance);
    await expect(graph.getState(thread)).rejects.toThrow(/No checkpointer/);
  });
});

describe("when the restore fails", () => {
  it("the turn's error is thrown, with the restore's error as its rollbackError", async () => {
    class BrokenSaver extends MemorySaver {
      override async put(config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata) {
        if (metadata.source === "update") throw new Error("store down"); // the restore's write
        return super.put(config, checkpoint, metadata);
      }
    }
    const graph = moa({ proposers: [new ScriptedChatModel({ model: "p", fail: failCall(1) })] }, new BrokenSaver());
    await graph.invoke(ask("first"), thread);
    const error = await graph.invoke(ask("second"), thread).catch((e: unknown) => e);
    expect(ProposersFailedError.isInstance(error)).toBe(true);
    expect((error as { rollbackError?: Error }).rollbackError?.message).toBe("store down");
  });
});
