/**
 * Two turns at once on one thread (two browser tabs, a retry overlapping its first try): the second fails
 * at once with MoAThreadBusyError, before any model call and without touching the thread, so no turn can
 * remove or alter another turn's answered exchange.
 */
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { MoAThreadBusyError, createMixtureOfAgents, type MixtureOfAgentsGraph } from "../src/index.js";
import { brief } from "./support/conversation.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";
import { lastHumanQuestion } from "./support/user-question.js";

const ask = (text: string) => ({ messages: [new HumanMessage(text)] });
const on = (threadId: string) => ({ configurable: { thread_id: threadId } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An MoA on `saver` whose proposer takes `delayMs` and fails its `failing`-th call (0-based), if given. */
function moa(saver: MemorySaver, { delayMs = 0, failing }: { delayMs?: number; failing?: number } = {}) {
  const proposer = new ScriptedChatModel({ model: "p", delayMs, fail: (call) => (call === failing ? new Error("down") : undefined) });
  const aggregator = new ScriptedChatModel({ model: "agg", answer: (messages) => `answer to ${lastHumanQuestion(messages)}` });
  return { proposer, graph: createMixtureOfAgents({ proposers: [proposer], aggregator, checkpointer: saver }) };
}

async function conversation(graph: MixtureOfAgentsGraph, threadId: string) {
  const { values, next } = await graph.getState(on(threadId));
  return { messages: brief(values.messages ?? []), next };
}

describe("a second turn on a busy thread", () => {
  it("fails at once with MoAThreadBusyError, calls no model, and the first turn's answer is kept", async () => {
    const { graph, proposer } = moa(new MemorySaver(), { delayMs: 200 });
    const first = graph.invoke(ask("A"), on("t"));
    await sleep(20);
    const startedAt = Date.now();
    const error = await graph.invoke(ask("B"), on("t")).catch((e: unknown) => e);
    expect(Date.now() - startedAt).toBeLessThan(100);
    expect(MoAThreadBusyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ name: "MoAThreadBusyError", threadId: "t", message: expect.stringContaining("send this one again") });
    expect(proposer.calls).toHaveLength(1);

    await first;
    expect(await conversation(graph, "t")).toEqual({ messages: [["human", "A"], ["ai", "answer to A"]], next: [] });
    await graph.invoke(ask("B"), on("t"));
    expect((await conversation(graph, "t")).messages).toEqual([["human", "A"], ["ai", "answer to A"], ["human", "B"], ["ai", "answer to B"]]);
  });

  it("when the first turn then fails, its rollback leaves the thread as before both (the second never wrote)", async () => {
    const saver = new MemorySaver();
    const { graph } = moa(saver, { delayMs: 200, failing: 1 });
    await graph.invoke(ask("hello"), on("t"));
    const failing = graph.invoke(ask("A"), on("t")).catch((e: unknown) => e);
    await sleep(20);
    expect(MoAThreadBusyError.isInstance(await graph.invoke(ask("B"), on("t")).catch((e: unknown) => e))).toBe(true);
    expect(await failing).toMatchObject({ name: "ProposersFailedError" });
    expect(await conversation(graph, "t")).toEqual({ messages: [["human", "hello"], ["ai", "answer to hello"]], next: [] });
  });

  it("is the same for two graphs sharing one checkpointer, for every way of running a turn", async () => {
    const saver = new MemorySaver();
    const slow = moa(saver, { delayMs: 200 }).graph;
    const other = moa(saver).graph;
    const first = slow.invoke(ask("A"), on("t"));
    await sleep(20);
    const attempts = [
      other.invoke(ask("B"), on("t")),
      (async () => {
        for await (const _ of await other.stream(ask("B"), { ...on("t"), streamMode: "values" }));
      })(),
      (async () => {
        for await (const _ of other.streamEvents(ask("B"), { ...on("t"), version: "v2" }));
      })(),
    ];
    for (const attempt of attempts) expect(MoAThreadBusyError.isInstance(await attempt.catch((e: unknown) => e))).toBe(true);
    await first;
    expect((await conversation(other, "t")).messages).toEqual([["human", "A"], ["ai", "answer to A"]]);
  });

  it("turns on other threads run at the same time", async () => {
    const { graph } = moa(new MemorySaver(), { delayMs: 100 });
    const answers = await Promise.all(["t1", "t2", "t3"].map((id) => graph.invoke(ask(id), on(id))));
    expect(answers.map((state) => state.messages.at(-1)?.text)).toEqual(["answer to t1", "answer to t2", "answer to t3"]);
  });

  it("the thread is free again once a turn ends in any way: answered, failed, or its stream left early", async () => {
    const { graph } = moa(new MemorySaver(), { failing: 1 });
    await graph.invoke(ask("one"), on("t"));
    await graph.invoke(ask("two"), on("t")).catch(() => undefined);
    for await (const _ of await graph.stream(ask("three"), { ...on("t"), streamMode: "values" })) break;
    await graph.invoke(ask("four"), on("t"));
    expect((await conversation(graph, "t")).messages).toEqual([["human", "one"], ["ai", "answer to one"], ["human", "four"], ["ai", "answer to four"]]);
  });
});
