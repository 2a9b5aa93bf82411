import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { createMixtureOfAgents, getMoATrace } from "../src/index.js";
import { brief } from "./support/conversation.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

describe("multi-turn with a checkpointer", () => {
  it("a second invoke on the same thread continues the conversation; per-turn fields start afresh", async () => {
    const p1 = new ScriptedChatModel({ model: "p1", answer: (_m, call) => `p1 says ${call + 1}` });
    const aggregator = new ScriptedChatModel({ model: "agg", answer: (_m, call) => `answer ${call + 1}` });
    const graph = createMixtureOfAgents({ proposers: [p1], aggregator, layers: 2, checkpointer: new MemorySaver() });
    const thread = { configurable: { thread_id: "t1" } };

    const first = await graph.invoke({ messages: [new HumanMessage("first question")] }, thread);
    const second = await graph.invoke({ messages: [new HumanMessage("second question")] }, thread);

    expect(brief(first.messages)).toEqual([["human", "first question"], ["ai", "answer 1"]]);
    expect(brief(second.messages)).toEqual([
      ["human", "first question"],
      ["ai", "answer 1"],
      ["human", "second question"],
      ["ai", "answer 2"],
    ]);
    // Turn 2's first layer sees the whole history, and nothing of turn 1's proposals.
    expect(brief(p1.calls[2] ?? [])).toEqual(brief(second.messages.slice(0, 3)));
    expect(second.proposals.map((p) => [p.layer, p.text])).toEqual([[1, "p1 says 3"], [2, "p1 says 4"]]);
    expect(second.trace.layers).toHaveLength(2);
    expect(second.trace.calls).toBe(3);
    expect(getMoATrace(second.messages.at(-1) as AIMessage)).toEqual(second.trace);

    const saved = await graph.getState(thread);
    expect(saved.values.trace).toEqual(second.trace);
    expect(saved.values.messages).toHaveLength(4);
  });

  it("threads are independent", async () => {
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "ok" });
    const graph = createMixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator, checkpointer: new MemorySaver() });
    await graph.invoke({ messages: [new HumanMessage("a")] }, { configurable: { thread_id: "a" } });
    const b = await graph.invoke({ messages: [new HumanMessage("b")] }, { configurable: { thread_id: "b" } });
    expect(brief(b.messages)).toEqual([["human", "b"], ["ai", "ok"]]);
  });
});
