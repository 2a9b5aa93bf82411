import { HumanMessage, type AIMessageChunk } from "@langchain/core/messages";
import { MemorySaver, MessagesAnnotation, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { MixtureOfAgents } from "../src/index.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

describe("MixtureOfAgents in larger compositions", () => {
  it("an MoA used as a proposer of another: the outer stream and showInternal see only their own turn", async () => {
    const inner = new MixtureOfAgents({
      proposers: [new ScriptedChatModel({ model: "ip", answer: "inner proposal" })],
      aggregator: new ScriptedChatModel({ model: "iagg", answer: "inner aggregate" }),
      name: "inner",
    });
    const seen: string[] = [];
    const outer = new MixtureOfAgents({
      proposers: [new ScriptedChatModel({ model: "op", answer: "outer proposal" }), { model: inner, name: "inner-moa" }],
      aggregator: new ScriptedChatModel({ model: "oagg", answer: "outer final answer" }),
      showInternal: (p) => seen.push(`${p.layer}:${p.id}:${p.text}`),
    });
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await outer.stream("q")) chunks.push(chunk);
    expect(chunks.map((c) => c.text)).toEqual(["outer ", "final ", "answer", ""]);
    expect(seen.sort()).toEqual(["1:inner-moa:inner aggregate", "1:op:outer proposal"]);
  });

  it("streamEvents reports each final-answer token once", async () => {
    const moa = new MixtureOfAgents({
      proposers: [new ScriptedChatModel({ model: "p" })],
      aggregator: new ScriptedChatModel({ model: "agg", answer: "final answer" }),
    });
    const tokens: string[] = [];
    const proposals: string[] = [];
    for await (const event of moa.streamEvents([new HumanMessage("q")], { version: "v2" })) {
      if (event.event === "on_chat_model_stream" && event.name === "MixtureOfAgents") tokens.push(event.data.chunk.text);
      if (event.event === "on_custom_event") proposals.push(event.name);
    }
    expect(tokens).toEqual(["final ", "answer", ""]);
    expect(proposals).toEqual(["moa_proposal"]);
  });

  it("as a node of a checkpointed graph, the chat model writes nothing of its own into the caller's checkpointer", async () => {
    const moa = new MixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator: new ScriptedChatModel({ model: "agg", answer: "ok" }) });
    const checkpointer = new MemorySaver();
    const outer = new StateGraph(MessagesAnnotation)
      .addNode("assistant", async (state) => ({ messages: await moa.batch([state.messages, state.messages]) }))
      .addEdge("__start__", "assistant")
      .compile({ checkpointer });
    const state = await outer.invoke({ messages: [new HumanMessage("q")] }, { configurable: { thread_id: "t" } });
    expect(state.messages.map((m) => m.text)).toEqual(["q", "ok", "ok"]);
    const namespaces = new Set<string>();
    for await (const saved of checkpointer.list({ configurable: { thread_id: "t" } })) namespaces.add(String(saved.config.configurable?.checkpoint_ns));
    expect([...namespaces]).toEqual([""]);
  });
});
