/**
 * A turn takes `2 x layers + 2` LangGraph steps. The MoA carries the recursion limit its layers need
 * wherever it runs: as a parent graph's node (whose config brings the parent's limit, 25 by default),
 * compiled by the caller from `buildMixtureOfAgents()`, and as the chat model inside a node.
 */
import { HumanMessage } from "@langchain/core/messages";
import { RunnableLambda, type Runnable } from "@langchain/core/runnables";
import { MessagesAnnotation, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { MixtureOfAgents, buildMixtureOfAgents, createMixtureOfAgents } from "../../src/index.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";

const question = () => ({ messages: [new HumanMessage("q")] });

function options(layers: number) {
  return { proposers: [new ScriptedChatModel({ model: "p1" }), new ScriptedChatModel({ model: "p2" })], aggregator: new ScriptedChatModel({ model: "agg", answer: "final" }), layers };
}

/** A parent graph: a step before the MoA, the MoA as a node, a step after. */
function parentOf(moa: Runnable) {
  return new StateGraph(MessagesAnnotation)
    .addNode("before", () => ({}))
    .addNode("moa", moa)
    .addNode("after", () => ({}))
    .addEdge("__start__", "before")
    .addEdge("before", "moa")
    .addEdge("moa", "after")
    .compile();
}

describe.each([12, 30])("%i layers", (layers) => {
  it("createMixtureOfAgents(...) as a parent graph's node", async () => {
    const state = await parentOf(createMixtureOfAgents(options(layers))).invoke(question());
    expect(state.messages.map((m) => m.text)).toEqual(["q", "final"]);
  });

  it("createMixtureOfAgents(...) as a node, under a parent's own recursionLimit", async () => {
    const state = await parentOf(createMixtureOfAgents(options(layers))).invoke(question(), { recursionLimit: 5 });
    expect(state.messages.at(-1)?.text).toBe("final");
  });

  it("createMixtureOfAgents(...) as a node, streamed with subgraphs", async () => {
    const namespaces = new Set<string>();
    for await (const [namespace] of await parentOf(createMixtureOfAgents(options(layers))).stream(question(), { streamMode: "updates", subgraphs: true })) {
      namespaces.add(namespace.join("|").split(":")[0] ?? "");
    }
    expect([...namespaces]).toEqual(expect.arrayContaining(["", "moa"]));
  });

  it("a withConfig copy of createMixtureOfAgents(...) as a parent graph's node", async () => {
    const state = await parentOf(createMixtureOfAgents(options(layers)).withConfig({ tags: ["mine"] })).invoke(question());
    expect(state.messages.at(-1)?.text).toBe("final");
  });

  it("buildMixtureOfAgents(...).compile() as a parent graph's node", async () => {
    const state = await parentOf(buildMixtureOfAgents(options(layers)).compile()).invoke(question());
    expect(state.messages.map((m) => m.text)).toEqual(["q", "final"]);
  });

  it("buildMixtureOfAgents(...).compile() invoked by itself", async () => {
    const state = await buildMixtureOfAgents(options(layers)).compile().invoke(question());
    expect(state.trace.layers).toHaveLength(layers);
  });

  it("createMixtureOfAgents(...) invoked with a lower recursionLimit still fits its layers", async () => {
    const state = await createMixtureOfAgents(options(layers)).invoke(question(), { recursionLimit: 10 });
    expect(state.trace.layers).toHaveLength(layers);
  });

  it("MixtureOfAgents.invoke inside a parent graph's node", async () => {
    const moa = new MixtureOfAgents(options(layers));
    const node = RunnableLambda.from(async (s: typeof MessagesAnnotation.State) => ({ messages: [await moa.invoke(s.messages)] }));
    const state = await parentOf(node).invoke(question());
    expect(state.messages.at(-1)?.text).toBe("final");
  });
});

describe("the parent's own limit", () => {
  it("still counts the parent's steps: the MoA is one of them", async () => {
    const loop = new StateGraph(MessagesAnnotation)
      .addNode("ask", () => ({ messages: [new HumanMessage("again")] }))
      .addNode("moa", createMixtureOfAgents(options(12)))
      .addEdge("__start__", "ask")
      .addEdge("ask", "moa")
      .addEdge("moa", "ask")
      .compile();
    await expect(loop.invoke(question(), { recursionLimit: 3 })).rejects.toThrow(/Recursion limit of 3 reached/);
  });
});
