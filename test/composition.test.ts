import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { StringOutputParser } from "@langchain/core/output_parsers";
import { ChatPromptTemplate } from "@langchain/core/prompts";
import { MessagesAnnotation, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { MixtureOfAgents, buildMixtureOfAgents, createMixtureOfAgents } from "../src/index.js";
import { brief } from "./support/conversation.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";
import { lastHumanQuestion } from "./support/user-question.js";

function moaModels(answer: string | ((messages: BaseMessage[], call: number) => string) = "final") {
  return {
    proposers: [new ScriptedChatModel({ model: "p1" }), new ScriptedChatModel({ model: "p2" })],
    aggregator: new ScriptedChatModel({ model: "agg", answer }),
  };
}

describe("MixtureOfAgents composes like any chat model", () => {
  it("prompt.pipe(moa).pipe(new StringOutputParser())", async () => {
    const models = moaModels();
    const prompt = ChatPromptTemplate.fromMessages([["system", "You explain {topic}."], ["human", "Explain {topic} briefly."]]);
    const text = await prompt.pipe(new MixtureOfAgents({ mainModel: models.aggregator, referenceModels: models.proposers })).pipe(new StringOutputParser()).invoke({ topic: "tides" });

    expect(text).toBe("final");
    expect(brief(models.proposers[0]?.calls[0] ?? [])).toEqual([["system", "You explain tides."], ["human", "Explain tides briefly."]]);
  });

  it("batch runs one turn per input", async () => {
    const models = moaModels((messages) => `re: ${lastHumanQuestion(messages)}`);
    const answers = await new MixtureOfAgents(models).batch(["a", "b", "c"]);
    expect(answers.map((a) => a.text)).toEqual(["re: a", "re: b", "re: c"]);
    expect(models.aggregator.calls).toHaveLength(3);
  });

  it("withRetry retries a failed turn", async () => {
    const flaky = new ScriptedChatModel({ model: "agg", answer: "recovered", fail: (call) => (call === 0 ? new Error("transient") : undefined) });
    const moa = new MixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator: flaky }).withRetry({ stopAfterAttempt: 2 });
    const answer = await moa.invoke("q");
    expect(answer.text).toBe("recovered");
    expect(flaky.calls).toHaveLength(2);
  });

  it("runs as a node inside another LangGraph graph, and its stream there carries only the final answer", async () => {
    const moa = new MixtureOfAgents(moaModels("the final answer"));
    const outer = new StateGraph(MessagesAnnotation)
      .addNode("assistant", async (state) => ({ messages: [await moa.invoke(state.messages)] }))
      .addEdge("__start__", "assistant")
      .compile();

    const tokens: string[] = [];
    for await (const [chunk] of await outer.stream({ messages: [new HumanMessage("q")] }, { streamMode: "messages" })) {
      tokens.push(chunk.text);
    }
    expect(tokens.join("")).toBe("the final answer");
    const state = await outer.invoke({ messages: [new HumanMessage("q")] });
    expect(brief(state.messages)).toEqual([["human", "q"], ["ai", "the final answer"]]);
  });

  it("buildMixtureOfAgents() can be added as a subgraph", async () => {
    const models = moaModels();
    const outer = new StateGraph(MessagesAnnotation)
      .addNode("moa", buildMixtureOfAgents(models).compile())
      .addEdge("__start__", "moa")
      .compile();
    const state = await outer.invoke({ messages: [new HumanMessage("q")] });
    expect(brief(state.messages)).toEqual([["human", "q"], ["ai", "final"]]);
    expect(models.aggregator.calls).toHaveLength(1);
  });

  it("the compiled graph is a Runnable: batch and pipe", async () => {
    const models = moaModels((messages) => `re: ${lastHumanQuestion(messages)}`);
    const graph = createMixtureOfAgents(models);
    const states = await graph.batch([{ messages: [new HumanMessage("x")] }, { messages: [new HumanMessage("y")] }]);
    expect(states.map((s) => s.messages.at(-1)?.text)).toEqual(["re: x", "re: y"]);
    const lastText = graph.pipe((state) => state.messages.at(-1)?.text);
    expect(await lastText.invoke({ messages: [new HumanMessage("z")] })).toBe("re: z");
  });
});
