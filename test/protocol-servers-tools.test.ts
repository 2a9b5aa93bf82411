/**
 * Tool calling over the local protocol servers, driven by the real LangChain clients (ChatOpenAI,
 * ChatOllama, ChatGoogleGenerativeAI): scripted tool calls reach the client in each provider's own wire
 * format, invoked and streamed, and the tools offered and the tool history sent back are recorded.
 */
import { ChatGoogleGenerativeAI } from "@langchain/google-genai";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAI } from "@langchain/openai";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, type AIMessageChunk } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { concat } from "@langchain/core/utils/stream";
import { createAgent } from "langchain";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { startGeminiServer } from "./support/gemini-server.js";
import { startOllamaServer } from "./support/ollama-server.js";
import { startOpenAIServer } from "./support/openai-server.js";
import type { ModelScript, Protocol, ProtocolServer, RecordedMessage, RecordedRequest, ServerOptions, ToolCallScript } from "./support/protocol-server.js";

const getWeather = tool(async ({ city, days }) => `Sunny in ${city} for ${days} days.`, {
  name: "get_weather",
  description: "The weather forecast for a city.",
  schema: z.object({ city: z.string(), days: z.number() }),
});

const CALL: ToolCallScript = { name: "get_weather", args: { city: "Paris", days: 3 }, id: "call_abc" };
const RESULT = "Sunny in Paris for 3 days.";
const QUESTION = "Weather in Paris?";

/** How to start one protocol's server and point its real LangChain client at it. */
interface Harness {
  protocol: Protocol;
  model: string;
  start(options: ServerOptions): Promise<ProtocolServer>;
  client(server: ProtocolServer): BaseChatModel;
  /** What the server records as the tool choice when `bindTools` is given `tool_choice: "get_weather"`. */
  recordedChoice: unknown;
  /** Whether tool-call ids travel on the wire (else the client makes up its own). */
  wireIds: boolean;
  /** Whether the arguments are streamed in several pieces (else whole, in one chunk). */
  argumentsInPieces: boolean;
  /** Whether a stream that breaks mid-way also leaves an unhandled rejection behind (the Gemini SDK does). */
  strayRejections: boolean;
  /** The history of the second request, as recorded: the tool call (`callId` the client's id) and its result. */
  toolHistory(callId: string): RecordedMessage[];
}

const assistantCall = (id?: string): RecordedMessage => ({ role: "assistant", content: "", toolCalls: [{ name: CALL.name, args: CALL.args, ...(id ? { id } : {}) }] });

const harnesses: Harness[] = [
  {
    protocol: "openai",
    model: "m1",
    start: startOpenAIServer,
    client: (server) => new ChatOpenAI({ model: "m1", apiKey: "sk-test", configuration: { baseURL: `${server.url}/v1` }, maxRetries: 0 }),
    recordedChoice: { type: "function", function: { name: "get_weather" } },
    wireIds: true,
    argumentsInPieces: true,
    strayRejections: false,
    toolHistory: (id) => [assistantCall(id), { role: "tool", content: RESULT, toolCallId: id, name: "get_weather" }],
  },
  {
    protocol: "ollama",
    model: "llama3.1:8b",
    start: startOllamaServer,
    client: (server) => new ChatOllama({ model: "llama3.1:8b", baseUrl: server.url }),
    // ChatOllama sends no tool choice, and no id or name with a tool result.
    recordedChoice: undefined,
    wireIds: false,
    argumentsInPieces: false,
    strayRejections: false,
    toolHistory: (id) => [assistantCall(id), { role: "tool", content: RESULT }],
  },
  {
    protocol: "gemini",
    model: "gemini-x",
    start: startGeminiServer,
    client: (server) => new ChatGoogleGenerativeAI({ model: "gemini-x", apiKey: "test-key", baseUrl: server.url, maxRetries: 0 }),
    recordedChoice: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } },
    wireIds: false,
    argumentsInPieces: false,
    strayRejections: true,
    toolHistory: () => [assistantCall(), { role: "tool", content: RESULT, name: "get_weather" }],
  },
];

let servers: ProtocolServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(harness: Harness, script: ModelScript): Promise<ProtocolServer> {
  const server = await harness.start({ models: { [harness.model]: script } });
  servers.push(server);
  return server;
}

/** The client with the weather tool bound, forced to call it. */
function withTool(harness: Harness, server: ProtocolServer) {
  const client = harness.client(server);
  if (!client.bindTools) throw new Error(`${harness.protocol} client cannot bind tools`);
  return client.bindTools([getWeather], { tool_choice: "get_weather" });
}

async function drain(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk[]> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** Runs `action` with unhandled rejections collected (and returned) instead of failing the run. */
async function strayRejectionsOf(action: () => Promise<unknown>): Promise<unknown[]> {
  const previous = process.listeners("unhandledRejection");
  const caught: unknown[] = [];
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", (reason) => caught.push(reason));
  try {
    await action();
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    process.removeAllListeners("unhandledRejection");
    for (const listener of previous) process.on("unhandledRejection", listener);
  }
  return caught;
}

const namesAndArgs = (calls: Array<{ name: string; args: unknown }> = []) => calls.map(({ name, args }) => ({ name, args }));
const lastIsToolResult = (request: RecordedRequest) => request.messages.at(-1)?.role === "tool";

/** Calls the tool until the history holds its result, then answers with that result. */
const agentScript: ModelScript = {
  toolCalls: (request) => (lastIsToolResult(request) ? undefined : [CALL]),
  text: (request) => (lastIsToolResult(request) ? `Forecast: ${request.messages.at(-1)?.content}` : ""),
};

describe.each(harnesses)("$protocol server: tool calling with the real client", (harness) => {
  it("invoke: the answer carries the scripted tool call; the tools offered and the tool choice are recorded", async () => {
    const server = await serve(harness, { toolCalls: [CALL] });
    const answer = await withTool(harness, server).invoke(QUESTION);

    expect(namesAndArgs(answer.tool_calls)).toEqual([{ name: "get_weather", args: { city: "Paris", days: 3 } }]);
    // Without ids on the wire (or with ChatOllama, which ignores them) the client makes up a UUID.
    expect(answer.tool_calls?.[0]?.id).toMatch(harness.wireIds ? /^call_abc$/ : /^[0-9a-f-]{36}$/);
    expect(answer.text).toBe("");
    const [request] = server.requests;
    expect(request).toMatchObject({ stream: harness.protocol === "ollama", tools: ["get_weather"] });
    expect(request?.toolChoice).toEqual(harness.recordedChoice);
    expect(request?.messages).toEqual([{ role: "user", content: QUESTION }]);
  });

  it("stream: the chunks concatenate to the tool call", async () => {
    const server = await serve(harness, { toolCalls: [CALL], chunkDelayMs: 2 });
    const chunks = await drain(await withTool(harness, server).stream(QUESTION));
    const whole = chunks.reduce((a, b) => concat(a, b));

    expect(namesAndArgs(whole.tool_calls)).toEqual([{ name: "get_weather", args: { city: "Paris", days: 3 } }]);
    if (harness.wireIds) expect(whole.tool_calls?.[0]?.id).toBe("call_abc");
    const withArguments = chunks.filter((chunk) => chunk.tool_call_chunks?.some((c) => c.args));
    if (harness.argumentsInPieces) expect(withArguments.length).toBeGreaterThan(1);
    else expect(withArguments).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({ stream: true, tools: ["get_weather"] });
  });

  it("text and two tool calls arrive together, invoked and streamed; missing ids become call_<n>", async () => {
    const calls = [{ name: "get_weather", args: { city: "Paris", days: 1 } }, { name: "get_weather", args: { city: "Rome", days: 2 } }];
    const server = await serve(harness, { text: "Checking both.", toolCalls: calls });
    const model = withTool(harness, server);
    const invoked = await model.invoke(QUESTION);
    const streamed = (await drain(await model.stream(QUESTION))).reduce((a, b) => concat(a, b));

    for (const answer of [invoked, streamed]) {
      expect(answer.text).toBe("Checking both.");
      expect(namesAndArgs(answer.tool_calls)).toEqual(calls);
    }
    if (harness.wireIds) expect([...(invoked.tool_calls ?? []), ...(streamed.tool_calls ?? [])].map((c) => c.id)).toEqual(["call_1", "call_2", "call_3", "call_4"]);
  });

  it("a second request sends back the tool call and its result; both are recorded", async () => {
    const server = await serve(harness, agentScript);
    const model = withTool(harness, server);
    const question = new HumanMessage(QUESTION);
    const call = await model.invoke([question]);
    const [toolCall] = call.tool_calls ?? [];
    if (!toolCall?.id) throw new Error("no tool call with an id in the first answer");
    const result = await getWeather.invoke({ ...toolCall, type: "tool_call" });
    const answer = await model.invoke([question, call, result]);

    expect(answer.text).toBe(`Forecast: ${RESULT}`);
    expect(answer.tool_calls ?? []).toEqual([]);
    expect(server.requests[1]?.messages).toEqual([{ role: "user", content: QUESTION }, ...harness.toolHistory(toolCall.id)]);
  });

  it("a LangChain agent runs the tool loop over the server", async () => {
    const server = await serve(harness, agentScript);
    const agent = createAgent({ model: harness.client(server), tools: [getWeather] });
    const state = await agent.invoke({ messages: [new HumanMessage(QUESTION)] });

    expect(state.messages.map((m) => m.type)).toEqual(["human", "ai", "tool", "ai"]);
    expect(state.messages.at(-1)?.text).toBe(`Forecast: ${RESULT}`);
    expect(server.requests.map((r) => r.tools)).toEqual([["get_weather"], ["get_weather"]]);
    expect(server.requests[1]?.messages.at(-1)).toMatchObject({ role: "tool", content: RESULT });
  });

  it("faults still come first: a 500 once, then the tool call; a reset mid-stream is an error", async () => {
    const server = await serve(harness, { toolCalls: [CALL], fault: { kind: "status", status: 500, times: 1 } });
    const model = withTool(harness, server);

    await expect(model.invoke(QUESTION)).rejects.toThrow();
    expect(namesAndArgs((await model.invoke(QUESTION)).tool_calls)).toEqual([{ name: "get_weather", args: CALL.args }]);
    server.setScript(harness.model, { toolCalls: () => [CALL], fault: { kind: "reset" } });
    const stray = await strayRejectionsOf(() => expect(model.stream(QUESTION).then(drain)).rejects.toThrow());
    expect(stray.length > 0).toBe(harness.strayRejections);
    expect(server.requests).toHaveLength(3);
  });
});

/** The parts of an OpenAI stream chunk these tests read. */
interface OpenAIChunk {
  choices: Array<{ finish_reason: string | null; delta: { tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments: string } }> } }>;
  usage?: unknown;
}

describe("the wire formats of tool calls", () => {
  const post = async (url: string, body: unknown): Promise<string> => (await fetch(url, { method: "POST", body: JSON.stringify(body) })).text();
  const events = <T>(sse: string): T[] => [...sse.matchAll(/^data: (\{.*\})$/gm)].map((m) => JSON.parse(m[1] ?? "null"));
  const script: ModelScript = { toolCalls: [{ name: "get_weather", args: { city: "Paris" } }, { name: "get_time", args: {} }], text: "Checking." };

  it("OpenAI: tool_calls with JSON-string arguments, finish_reason tool_calls; streamed by index, arguments in pieces", async () => {
    const server = await serve(harnesses[0] as Harness, script);
    const url = `${server.url}/v1/chat/completions`;
    const whole = JSON.parse(await post(url, { model: "m1", messages: [] }));
    expect(whole.choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: {
        content: "Checking.",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "get_time", arguments: "{}" } },
        ],
      },
    });

    const streamed = events<OpenAIChunk>(await post(url, { model: "m1", messages: [], stream: true, stream_options: { include_usage: true } }));
    const deltas = streamed.flatMap((e) => e.choices.flatMap((c) => c.delta.tool_calls ?? []));
    expect(deltas[0]).toEqual({ index: 0, id: "call_3", type: "function", function: { name: "get_weather", arguments: "" } });
    const pieces = deltas.filter((d) => d.index === 0 && !d.id);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.map((d) => d.function.arguments).join("")).toBe('{"city":"Paris"}');
    expect(deltas.find((d) => d.index === 1)).toMatchObject({ id: "call_4", function: { name: "get_time" } });
    expect(streamed.at(-2)?.choices[0]).toMatchObject({ finish_reason: "tool_calls" });
    expect(streamed.at(-1)?.usage).toMatchObject({ total_tokens: 15 });
  });

  it("Ollama: tool_calls with object arguments, whole in one line before the done line", async () => {
    const server = await serve(harnesses[1] as Harness, script);
    const url = `${server.url}/api/chat`;
    const calls = [{ function: { name: "get_weather", arguments: { city: "Paris" } } }, { function: { name: "get_time", arguments: {} } }];
    expect(JSON.parse(await post(url, { model: "llama3.1:8b", messages: [], stream: false }))).toMatchObject({ done: true, done_reason: "stop", message: { content: "Checking.", tool_calls: calls } });

    const lines = (await post(url, { model: "llama3.1:8b", messages: [] })).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.message.tool_calls)).toEqual([expect.objectContaining({ done: false, message: { role: "assistant", content: "", tool_calls: calls } })]);
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: "stop" });
  });

  it("Gemini: functionCall parts without ids, finishReason STOP; streamed whole in the last chunk", async () => {
    const server = await serve(harnesses[2] as Harness, script);
    const parts = [{ functionCall: { name: "get_weather", args: { city: "Paris" } } }, { functionCall: { name: "get_time", args: {} } }];
    const whole = JSON.parse(await post(`${server.url}/v1beta/models/gemini-x:generateContent`, { contents: [] }));
    expect(whole.candidates[0]).toMatchObject({ finishReason: "STOP", content: { role: "model", parts: [{ text: "Checking." }, ...parts] } });

    const streamed = events<{ candidates: unknown[] }>(await post(`${server.url}/v1beta/models/gemini-x:streamGenerateContent?alt=sse`, { contents: [] }));
    expect(streamed.filter((e) => JSON.stringify(e).includes("functionCall"))).toEqual([streamed.at(-1)]);
    expect(streamed.at(-1)?.candidates[0]).toMatchObject({ finishReason: "STOP", content: { parts } });
  });
});
