/**
 * The MoA chat model as the model of LangChain agents (`createAgent`, `createReactAgent`), driving the
 * real @langchain/openai, @langchain/ollama and @langchain/google-genai clients over HTTP against the
 * local protocol servers of test/support (127.0.0.1 only): the aggregator calls the tool, the proposers
 * advise in text, and what each server received is checked request by request.
 */
import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { createAgent } from "langchain";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_AGGREGATOR_PROMPT, MixtureOfAgents, MoAConfigError, getMoATrace, type ModelInput } from "../../src/index.js";
import { expectedReferenceText } from "../support/conversation.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import { withoutReferences } from "../support/user-question.js";
import type { ModelScript, Protocol, ProtocolServer, RecordedMessage, RecordedRequest, ToolCallScript } from "../support/protocol-server.js";

const QUESTION = "Weather in Paris?";
const CALL: ToolCallScript = { name: "get_weather", args: { city: "Paris", days: 3 }, id: "call_abc" };
const RESULT = "Sunny in Paris for 3 days.";
const FINAL = `Forecast: ${RESULT}`;
const DESCRIPTION = "The weather forecast for a city.";
const PROPOSALS = { openai: "Call get_weather with city Paris and days 3.", ollama: "Ask the weather tool about Paris." };
const REFERENCES = expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, [PROPOSALS.openai, PROPOSALS.ollama]);

/** A weather tool that records the arguments of each of its calls. */
function weatherTool() {
  const calls: Array<{ city: string; days: number }> = [];
  const getWeather = tool(
    async ({ city, days }) => {
      calls.push({ city, days });
      return `Sunny in ${city} for ${days} days.`;
    },
    { name: "get_weather", description: DESCRIPTION, schema: z.object({ city: z.string(), days: z.number() }) },
  );
  return { getWeather, calls };
}

/** The tool result the conversation ends with (before the MoA's references), if it does. */
function lastToolResult(request: RecordedRequest): RecordedMessage | undefined {
  const last = withoutReferences(request.messages).at(-1);
  return last?.role === "tool" ? last : undefined;
}

/** The aggregator: calls the tool until the history holds its result, then answers with that result. */
const aggregatorScript: ModelScript = {
  toolCalls: (request) => (lastToolResult(request) ? undefined : [CALL]),
  text: (request) => {
    const result = lastToolResult(request);
    return result ? `Forecast: ${result.content}` : "";
  },
  usage: { input: 20, output: 6 },
};

let proposerOpenAI: ProtocolServer;
let proposerOllama: ProtocolServer;
const aggregatorServers = {} as Record<Protocol, ProtocolServer>;

beforeAll(async () => {
  [proposerOpenAI, proposerOllama, aggregatorServers.openai, aggregatorServers.ollama, aggregatorServers.gemini] = await Promise.all([
    startOpenAIServer({ models: { "gpt-4o-mini": { text: PROPOSALS.openai } } }),
    startOllamaServer({ models: { "llama3.1:8b": { text: PROPOSALS.ollama } } }),
    startOpenAIServer({ models: { "gpt-4o": aggregatorScript } }),
    startOllamaServer({ models: { "qwen2.5:14b": aggregatorScript } }),
    startGeminiServer({ models: { "gemini-2.0-flash": aggregatorScript } }),
  ]);
});
afterAll(async () => {
  await Promise.all([proposerOpenAI, proposerOllama, ...Object.values(aggregatorServers)].map((server) => server?.close()));
});
afterEach(() => {
  for (const server of [proposerOpenAI, proposerOllama, ...Object.values(aggregatorServers)]) server.requests.length = 0;
});

/** How one provider serves as the aggregator, and how its requests record the tool history. */
interface AggregatorCase {
  protocol: Protocol;
  spec: () => ModelInput;
  /** The second request's tool history as recorded: the AI tool call (`id` the client's id) and the result. */
  toolHistory: (id: string) => RecordedMessage[];
}

const assistantCall = (id?: string): RecordedMessage => ({ role: "assistant", content: "", toolCalls: [{ name: "get_weather", args: CALL.args, ...(id ? { id } : {}) }] });

const aggregators: AggregatorCase[] = [
  {
    protocol: "openai",
    spec: () => ({ model: "openai:gpt-4o", baseURL: `${aggregatorServers.openai.url}/v1`, apiKey: "test-key" }),
    toolHistory: (id) => [assistantCall(id), { role: "tool", content: RESULT, toolCallId: id, name: "get_weather" }],
  },
  {
    protocol: "ollama",
    spec: () => ({ model: "ollama:qwen2.5:14b", baseUrl: aggregatorServers.ollama.url }),
    // ChatOllama sends the call's id, but no id or name with a tool result.
    toolHistory: (id) => [assistantCall(id), { role: "tool", content: RESULT }],
  },
  {
    protocol: "gemini",
    spec: () => ({ model: "google-genai:gemini-2.0-flash", apiKey: "test-key", baseUrl: aggregatorServers.gemini.url }),
    // Gemini has no call ids on the wire.
    toolHistory: () => [assistantCall(), { role: "tool", content: RESULT, name: "get_weather" }],
  },
];

const openaiAggregator = () => (aggregators[0] as AggregatorCase).spec();

function proposers(): ModelInput[] {
  return [
    { model: "openai:gpt-4o-mini", baseURL: `${proposerOpenAI.url}/v1`, apiKey: "test-key" },
    { model: "ollama:llama3.1:8b", baseUrl: proposerOllama.url },
  ];
}

function mixture(aggregator: ModelInput, proposeOn?: "user_turn" | "every_call"): MixtureOfAgents {
  return new MixtureOfAgents({ proposers: proposers(), aggregator, retry: false, ...(proposeOn ? { proposeOn } : {}) });
}

const proposerRequests = () => [...proposerOpenAI.requests, ...proposerOllama.requests];

/** The conversation a proposer is sent after the tool ran: the call and its result written as text. */
function proposerHistoryAfterTool(callId: string): RecordedMessage[] {
  return [
    { role: "user", content: QUESTION },
    { role: "assistant", content: `[Called tool get_weather with arguments {"city":"Paris","days":3} (call ${callId})]` },
    { role: "user", content: `[Tool get_weather (call ${callId}) returned:]\n${RESULT}` },
  ];
}

/** Checks a proposer request: no tools, a system message naming the tool, then `rest` (no tool messages). */
function expectProposerRequest(request: RecordedRequest | undefined, rest: RecordedMessage[]): void {
  expect(request?.tools).toEqual([]);
  expect(request?.toolChoice).toBeUndefined();
  const [system, ...conversation] = request?.messages ?? [];
  expect(system?.role).toBe("system");
  expect(system?.content).toContain("get_weather");
  expect(system?.content).toContain(DESCRIPTION);
  expect(conversation).toEqual(rest);
  expect(conversation.some((m) => m.role === "tool" || m.toolCalls !== undefined)).toBe(false);
}

/** The id the agent's AI message gave the tool call (the client's own where the wire has none). */
function toolCallIdOf(messages: BaseMessage[]): string {
  const call = messages.find((m): m is AIMessage => AIMessage.isInstance(m) && (m.tool_calls?.length ?? 0) > 0);
  const id = call?.tool_calls?.[0]?.id;
  if (id === undefined) throw new Error("the agent's messages hold no tool call with an id");
  return id;
}

describe.each(aggregators)("createAgent with a MoA whose aggregator is $protocol", (aggregator) => {
  it.each(["user_turn", "every_call"] as const)("proposeOn %s: the tool runs once, the answer comes from its result; each server saw exactly its requests", async (proposeOn) => {
    const { getWeather, calls } = weatherTool();
    const agent = createAgent({ model: mixture(aggregator.spec(), proposeOn), tools: [getWeather] });
    const state = await agent.invoke({ messages: [new HumanMessage(QUESTION)] });

    expect(calls).toEqual([{ city: "Paris", days: 3 }]);
    expect(state.messages.map((m) => m.type)).toEqual(["human", "ai", "tool", "ai"]);
    expect(state.messages.at(-1)?.text).toBe(FINAL);
    const [, callMessage, toolMessage] = state.messages;
    expect((callMessage as AIMessage).tool_calls?.map(({ name, args }) => ({ name, args }))).toEqual([{ name: "get_weather", args: CALL.args }]);
    expect(toolMessage?.text).toBe(RESULT);
    const callId = toolCallIdOf(state.messages);
    if (aggregator.protocol === "openai") expect(callId).toBe("call_abc");

    // The aggregator: called twice, each time with the tool; the second time with the real tool messages.
    const aggregatorRequests = aggregatorServers[aggregator.protocol].requests;
    expect(aggregatorRequests.map((r) => r.tools)).toEqual([["get_weather"], ["get_weather"]]);
    // The references: at the end of the question, then after the tool result in a user message of their own.
    expect(aggregatorRequests[0]?.messages).toEqual([{ role: "user", content: `${QUESTION}\n\n${REFERENCES}` }]);
    expect(aggregatorRequests[1]?.messages).toEqual([{ role: "user", content: QUESTION }, ...aggregator.toolHistory(callId), { role: "user", content: REFERENCES }]);

    // The proposers: never given tools, told of the tool in the system message, see the tool history as text.
    const expectedCalls = proposeOn === "user_turn" ? 1 : 2;
    expect(proposerOpenAI.requests).toHaveLength(expectedCalls);
    expect(proposerOllama.requests).toHaveLength(expectedCalls);
    for (const server of [proposerOpenAI, proposerOllama]) {
      expectProposerRequest(server.requests[0], [{ role: "user", content: QUESTION }]);
      if (proposeOn === "every_call") expectProposerRequest(server.requests[1], proposerHistoryAfterTool(callId));
    }

    // The traces: the tool-calling answer keeps the references; the second step continued from them (user_turn).
    expect(getMoATrace(callMessage as AIMessage)?.references).toEqual([PROPOSALS.openai, PROPOSALS.ollama]);
    const finalTrace = getMoATrace(state.messages.at(-1) as AIMessage);
    expect(finalTrace?.continued).toBe(proposeOn === "user_turn" ? true : undefined);
    expect(finalTrace?.layers).toHaveLength(proposeOn === "user_turn" ? 0 : 1);
  });

  it("proposeOn defaults to user_turn: the proposers run once per agent run, the aggregator twice", async () => {
    const { getWeather, calls } = weatherTool();
    const agent = createAgent({ model: mixture(aggregator.spec()), tools: [getWeather] });
    const first = await agent.invoke({ messages: [new HumanMessage(QUESTION)] });
    expect(first.messages.at(-1)?.text).toBe(FINAL);
    expect([proposerOpenAI.requests.length, proposerOllama.requests.length, aggregatorServers[aggregator.protocol].requests.length]).toEqual([1, 1, 2]);

    // A second run of the agent (a new user message) runs the proposers again, once.
    await agent.invoke({ messages: [...first.messages, new HumanMessage("And in Rome?")] });
    expect(calls).toHaveLength(2);
    expect([proposerOpenAI.requests.length, proposerOllama.requests.length, aggregatorServers[aggregator.protocol].requests.length]).toEqual([2, 2, 4]);
    expect(proposerRequests().every((r) => r.tools.length === 0)).toBe(true);
  });

  it("streamed (streamMode messages): the answer's tokens arrive once each; no proposer text is streamed", async () => {
    const { getWeather, calls } = weatherTool();
    const agent = createAgent({ model: mixture(aggregator.spec()), tools: [getWeather] });
    const streamed: Array<{ chunk: BaseMessage; node: unknown; tags: string[] }> = [];
    for await (const [chunk, metadata] of await agent.stream({ messages: [new HumanMessage(QUESTION)] }, { streamMode: "messages" })) {
      streamed.push({ chunk, node: metadata.langgraph_node, tags: (metadata.tags as string[] | undefined) ?? [] });
    }

    expect(calls).toEqual([{ city: "Paris", days: 3 }]);
    const inner = ["moa:proposer", "moa:aggregator", "nostream"];
    const answerChunks = streamed.filter(
      ({ chunk, node, tags }) => node === "model_request" && AIMessageChunk.isInstance(chunk) && !tags.some((tag) => inner.includes(tag)),
    );
    expect(answerChunks.map(({ chunk }) => chunk.text).join("")).toBe(FINAL);
    expect(answerChunks.filter(({ chunk }) => chunk.text !== "").length).toBeGreaterThan(1);
    const everything = streamed.map(({ chunk }) => chunk.text).join("\n");
    expect(everything).not.toContain(PROPOSALS.openai);
    expect(everything).not.toContain(PROPOSALS.ollama);
    expect(streamed.some(({ tags }) => tags.some((tag) => inner.includes(tag)))).toBe(false);
    // The aggregator streamed over the wire; the proposers each ran once.
    expect(aggregatorServers[aggregator.protocol].requests.map((r) => r.stream)).toEqual([true, true]);
    expect(proposerRequests()).toHaveLength(2);
  });
});

describe("createReactAgent (@langchain/langgraph/prebuilt) with the MoA", () => {
  it("runs the tool loop end to end with an OpenAI aggregator", async () => {
    const { getWeather, calls } = weatherTool();
    const agent = createReactAgent({ llm: mixture(openaiAggregator()), tools: [getWeather] });
    const state = await agent.invoke({ messages: [new HumanMessage(QUESTION)] });

    expect(calls).toEqual([{ city: "Paris", days: 3 }]);
    expect(state.messages.map((m) => m.getType())).toEqual(["human", "ai", "tool", "ai"]);
    expect(state.messages.at(-1)?.text).toBe(FINAL);
    expect(aggregatorServers.openai.requests.map((r) => r.tools)).toEqual([["get_weather"], ["get_weather"]]);
    expect(aggregatorServers.openai.requests[1]?.messages.slice(-2)).toEqual([
      { role: "tool", content: RESULT, toolCallId: "call_abc", name: "get_weather" },
      { role: "user", content: REFERENCES },
    ]);
    expect(proposerRequests().map((r) => r.tools)).toEqual([[], []]);
    expect(getMoATrace(state.messages.at(-1) as AIMessage)?.continued).toBe(true);
  });
});

describe("bindTools refuses what it cannot honour", () => {
  it("a tool_choice naming no bound tool: a MoAConfigError listing the valid choices, before any request", () => {
    const { getWeather } = weatherTool();
    const moa = mixture(openaiAggregator());
    let error: unknown;
    try {
      moa.bindTools([getWeather], { tool_choice: "nope" });
    } catch (caught) {
      error = caught;
    }
    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect((error as MoAConfigError).option).toBe("tool_choice");
    const message = (error as Error).message;
    expect(message).toContain('"nope"');
    for (const choice of ['"auto"', '"any"', '"none"', '"required"', "get_weather"]) expect(message).toContain(choice);
    expect([...proposerRequests(), ...aggregatorServers.openai.requests]).toHaveLength(0);
  });
});
