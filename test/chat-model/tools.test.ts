import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { concat } from "@langchain/core/utils/stream";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { MixtureOfAgents, MoAConfigError, createMixtureOfAgents, getMoATrace } from "../../src/index.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";

const getWeather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
  name: "get_weather",
  description: "Current weather of a city",
  schema: z.object({ city: z.string() }),
});
const getTime = tool(async () => "12:00", { name: "get_time", description: "The time now", schema: z.object({}) });

/** An aggregator that calls get_weather until the conversation holds its result, then answers. */
function weatherAggregator(model = "agg") {
  return new ScriptedChatModel({
    model,
    answer: (messages) => (messages.some((m) => ToolMessage.isInstance(m)) ? "It is sunny in Paris." : ""),
    toolCalls: (messages) => (messages.some((m) => ToolMessage.isInstance(m)) ? undefined : [{ name: "get_weather", args: { city: "Paris" } }]),
  });
}

function mixture(options: { proposeOn?: "user_turn" | "every_call"; aggregator?: ScriptedChatModel | ScriptedChatModel[] } = {}) {
  const proposers = [new ScriptedChatModel({ model: "p1", answer: "Call get_weather for Paris." }), new ScriptedChatModel({ model: "p2", answer: "Use the weather tool." })];
  const aggregator = options.aggregator ?? weatherAggregator();
  const moa = new MixtureOfAgents({ proposers, aggregator, ...(options.proposeOn ? { proposeOn: options.proposeOn } : {}) });
  return { moa, proposers, aggregator };
}

const systemText = (messages: BaseMessage[]) => messages.filter((m) => SystemMessage.isInstance(m)).map((m) => m.text).join("\n");

describe("tools through the ensemble", () => {
  it("the aggregator is called with the tools and its tool calls are the answer; proposers advise in text", async () => {
    const { moa, proposers, aggregator } = mixture();
    const answer = await moa.bindTools([getWeather, getTime], { tool_choice: "auto" }).invoke([new HumanMessage("Weather in Paris?")]);

    expect(answer.tool_calls).toEqual([{ name: "get_weather", args: { city: "Paris" }, id: "call_0_0", type: "tool_call" }]);
    expect((aggregator as ScriptedChatModel).callOptions).toEqual([{ tools: ["get_weather", "get_time"], tool_choice: "auto" }]);
    for (const proposer of proposers) {
      expect(proposer.callOptions).toEqual([{ tools: [] }]);
      expect(systemText(proposer.calls[0] ?? [])).toMatch(/get_weather: Current weather of a city\n- get_time: The time now/);
    }
    const trace = getMoATrace(answer);
    expect(trace?.references).toEqual(["Call get_weather for Paris.", "Use the weather tool."]);
    expect(answer.usage_metadata?.total_tokens).toBe(45);
  });

  it("a tool history reaches proposers as text and the aggregator as real tool messages", async () => {
    const { moa, proposers, aggregator } = mixture({ proposeOn: "every_call" });
    const conversation = [
      new HumanMessage("Weather in Paris?"),
      new AIMessage({ content: "", tool_calls: [{ name: "get_weather", args: { city: "Paris" }, id: "c1", type: "tool_call" }] }),
      new ToolMessage({ content: "sunny", tool_call_id: "c1" }),
    ];
    const answer = await moa.bindTools([getWeather]).invoke(conversation);

    expect(answer.text).toBe("It is sunny in Paris.");
    const seen = proposers[0]?.calls[0] ?? [];
    expect(seen.some((m) => ToolMessage.isInstance(m))).toBe(false);
    expect(seen.map((m) => [m.getType(), m.text])).toEqual([
      ["system", expect.stringContaining("get_weather")],
      ["human", "Weather in Paris?"],
      ["ai", '[Called tool get_weather with arguments {"city":"Paris"} (call c1)]'],
      ["human", "[Tool get_weather (call c1) returned:]\nsunny"],
    ]);
    const aggregatorSaw = (aggregator as ScriptedChatModel).calls[0] ?? [];
    expect(aggregatorSaw.filter((m) => ToolMessage.isInstance(m)).map((m) => m.text)).toEqual(["sunny"]);
  });

  it("proposeOn user_turn: after tool results the aggregator continues alone from the turn's references", async () => {
    const { moa, proposers, aggregator } = mixture({ proposeOn: "user_turn" });
    const bound = moa.bindTools([getWeather]);
    const conversation: BaseMessage[] = [new HumanMessage("Weather in Paris?")];
    const first = await bound.invoke(conversation);
    conversation.push(first, new ToolMessage({ content: "sunny", tool_call_id: first.tool_calls?.[0]?.id ?? "" }));
    const second = await bound.invoke(conversation);

    expect(second.text).toBe("It is sunny in Paris.");
    expect(proposers.map((p) => p.calls.length)).toEqual([1, 1]);
    expect(getMoATrace(second)).toMatchObject({ continued: true, calls: 1, layers: [] });
    // The references follow the tool result, in a user message of their own (the default referencePlacement).
    const continued = (aggregator as ScriptedChatModel).calls[1] ?? [];
    expect(continued.map((m) => m.getType())).toEqual(["human", "ai", "tool", "human"]);
    expect(continued.at(-1)?.text).toContain("1. Call get_weather for Paris.");
  });

  it("proposeOn every_call: the proposers run on every model call of the agent loop", async () => {
    const { moa, proposers } = mixture({ proposeOn: "every_call" });
    const bound = moa.bindTools([getWeather]);
    const conversation: BaseMessage[] = [new HumanMessage("Weather in Paris?")];
    const first = await bound.invoke(conversation);
    conversation.push(first, new ToolMessage({ content: "sunny", tool_call_id: first.tool_calls?.[0]?.id ?? "" }));
    const second = await bound.invoke(conversation);
    expect(proposers.map((p) => p.calls.length)).toEqual([2, 2]);
    expect(getMoATrace(second)?.continued).toBeUndefined();
  });

  it("streamed: the tool call arrives as tool_call_chunks that concatenate to the final tool calls", async () => {
    const { moa } = mixture();
    let whole: AIMessageChunk | undefined;
    for await (const chunk of await moa.bindTools([getWeather]).stream([new HumanMessage("Weather in Paris?")])) whole = whole ? concat(whole, chunk) : chunk;
    expect(whole?.tool_calls).toEqual([{ name: "get_weather", args: { city: "Paris" }, id: "call_0_0", type: "tool_call" }]);
    expect(getMoATrace(whole as AIMessageChunk)?.calls).toBe(3);
  });

  it("a fallback aggregator is called with the tools too", async () => {
    const failing = new ScriptedChatModel({ model: "down", fail: Object.assign(new Error("boom"), { status: 400 }) });
    const { moa } = mixture({ aggregator: [failing, weatherAggregator("backup")] });
    const answer = await moa.bindTools([getWeather]).invoke([new HumanMessage("Weather?")]);
    expect(answer.tool_calls?.[0]?.name).toBe("get_weather");
    expect(failing.callOptions[0]?.tools).toEqual(["get_weather"]);
    expect(getMoATrace(answer)?.aggregator.map((r) => r.status)).toEqual(["failed", "ok"]);
  });

  it("the graph takes the same tools, so its final message carries the tool calls", async () => {
    const aggregator = weatherAggregator();
    const graph = createMixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p1" })], aggregator, tools: [getWeather], toolChoice: "get_weather" });
    const state = await graph.invoke({ messages: [new HumanMessage("Weather?")] });
    expect((state.messages.at(-1) as AIMessage).tool_calls?.[0]?.name).toBe("get_weather");
    expect(aggregator.callOptions[0]).toEqual({ tools: ["get_weather"], tool_choice: "get_weather" });
  });
});

describe("bad tool input", () => {
  it("a tool_choice naming no bound tool is refused at bindTools, with the valid choices", () => {
    const { moa } = mixture();
    expect(() => moa.bindTools([getWeather], { tool_choice: "get_wether" })).toThrow(/"get_wether" names no bound tool; expected "auto", "any", "none", "required" or a bound tool's name \(get_weather\)/);
  });

  it("an aggregator that cannot bind tools is named before any model is called", () => {
    const plain = new ScriptedChatModel({ model: "plain" });
    Object.defineProperty(plain, "bindTools", { value: undefined });
    const moa = new MixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p1" })], aggregator: plain });
    const error = (() => {
      try {
        moa.bindTools([getWeather]);
      } catch (thrown) {
        return thrown;
      }
    })();
    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/the aggregator plain \(ScriptedChatModel\) cannot call tools/);
  });

  it("something that is not a tool is named by its position", () => {
    const { moa } = mixture();
    expect(() => moa.bindTools([getWeather, 42 as never])).toThrow(/Invalid tools\[1\]: expected a tool/);
  });
});

describe("the graph in a tool loop of the caller's own", () => {
  it("runs with LangGraph's ToolNode until the aggregator answers", async () => {
    const { END, MessagesAnnotation, START, StateGraph } = await import("@langchain/langgraph");
    const { ToolNode, toolsCondition } = await import("@langchain/langgraph/prebuilt");
    const aggregator = weatherAggregator();
    const proposer = new ScriptedChatModel({ model: "p1", answer: "Ask the weather tool." });
    const moaGraph = createMixtureOfAgents({ proposers: [proposer], aggregator, tools: [getWeather] });
    const app = new StateGraph(MessagesAnnotation)
      .addNode("moa", moaGraph)
      .addNode("tools", new ToolNode([getWeather]))
      .addEdge(START, "moa")
      .addConditionalEdges("moa", toolsCondition, ["tools", END])
      .addEdge("tools", "moa")
      .compile();
    const { messages } = await app.invoke({ messages: [new HumanMessage("Weather in Paris?")] });
    expect(messages.map((m) => [m.getType(), m.text])).toEqual([
      ["human", "Weather in Paris?"],
      ["ai", ""],
      ["tool", "sunny in Paris"],
      ["ai", "It is sunny in Paris."],
    ]);
    // The second step continued from the first step's references: the proposer ran once.
    expect(proposer.calls).toHaveLength(1);
    expect(getMoATrace(messages.at(-1) as AIMessage)?.continued).toBe(true);
  });
});
