/**
 * A turn reads its thread once: the turn guard's look at where the thread stands and LangGraph's load of the
 * checkpoint the turn starts from are one read of the checkpointer (SQLite and PostgreSQL: in the
 * crash-safe-turns and postgres-threads files, which may load their native modules).
 */
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { createMixtureOfAgents } from "../src/index.js";
import { counted } from "./support/counted-saver.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

const models = () => ({
  proposers: [new ScriptedChatModel({ model: "p1", answer: "one" }), new ScriptedChatModel({ model: "p2", answer: "two" })],
  aggregator: new ScriptedChatModel({ model: "agg", answer: "answer" }),
});

describe("a turn on a thread", () => {
  it("reads its thread once, on an empty thread and on one holding earlier turns", async () => {
    const checkpointer = counted(new MemorySaver());
    const moa = createMixtureOfAgents({ ...models(), layers: 2, checkpointer });
    const config = { configurable: { thread_id: "reads" } };
    const perTurn: number[] = [];
    for (const question of ["first", "second", "third"]) {
      const before = checkpointer.reads();
      await moa.invoke({ messages: [new HumanMessage(question)] }, config);
      perTurn.push(checkpointer.reads() - before);
    }
    expect(perTurn).toEqual([1, 1, 1]);
    expect((await moa.getState(config)).values.messages).toHaveLength(6);
  });

  it("streamed, it reads its thread once too", async () => {
    const checkpointer = counted(new MemorySaver());
    const moa = createMixtureOfAgents({ ...models(), checkpointer });
    const config = { configurable: { thread_id: "streamed" } };
    await moa.invoke({ messages: [new HumanMessage("first")] }, config);
    const before = checkpointer.reads();
    for await (const _ of await moa.stream({ messages: [new HumanMessage("second")] }, { ...config, streamMode: ["values", "messages"] })) void _;
    expect(checkpointer.reads() - before).toBe(1);
  });
});
