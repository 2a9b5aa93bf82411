/**
 * `MixtureOfAgents.withStructuredOutput` over HTTP with the real @langchain/openai, @langchain/ollama and
 * @langchain/google-genai clients against the local protocol servers of test/support (127.0.0.1 only):
 * the aggregator produces the object with its own structured-output support (a tool call of the
 * schema's name, or JSON text), the proposers answer in plain text.
 */
import { AIMessage } from "@langchain/core/messages";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_AGGREGATOR_PROMPT, MixtureOfAgents, MoAConfigError, type ModelInput } from "../../src/index.js";
import { expectedReferenceText } from "../support/conversation.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ModelScript, Protocol, ProtocolServer, RecordedRequest } from "../support/protocol-server.js";

const QUESTION = "Weather in Paris?";
const REPORT = { city: "Paris", temperature: 21, conditions: "sunny" };
const PROPOSALS = { openai: "Paris: 21 degrees and sunny.", ollama: "Sunny, about 21 C in Paris." };
const REFERENCES = expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, [PROPOSALS.openai, PROPOSALS.ollama]);

const weatherReport = z.object({ city: z.string(), temperature: z.number(), conditions: z.string() }).describe("A weather report");
const weatherReportJsonSchema = {
  title: "WeatherReport",
  description: "A weather report",
  type: "object",
  properties: { city: { type: "string" }, temperature: { type: "number" }, conditions: { type: "string" } },
  required: ["city", "temperature", "conditions"],
  additionalProperties: false,
};
/** Without a title (ChatOpenAI names the function after a JSON schema's title, whatever `name` says). */
const { title: _title, ...untitledJsonSchema } = weatherReportJsonSchema;

/** Answers with a call of the (first) tool offered, whatever its name, with REPORT as its arguments. */
const toolCallingAggregator: ModelScript = { toolCalls: (request) => (request.tools[0] ? [{ name: request.tools[0], args: REPORT, id: "call_so" }] : undefined) };

let proposerOpenAI: ProtocolServer;
let proposerOllama: ProtocolServer;
const aggregatorServers = {} as Record<Protocol, ProtocolServer>;
const allServers = () => [proposerOpenAI, proposerOllama, ...Object.values(aggregatorServers)];

beforeAll(async () => {
  [proposerOpenAI, proposerOllama, aggregatorServers.openai, aggregatorServers.ollama, aggregatorServers.gemini] = await Promise.all([
    startOpenAIServer({ models: { "gpt-4o-mini": { text: PROPOSALS.openai } } }),
    startOllamaServer({ models: { "llama3.1:8b": { text: PROPOSALS.ollama } } }),
    startOpenAIServer({ models: { "gpt-4o": toolCallingAggregator } }),
    startOllamaServer({ models: { "qwen2.5:14b": toolCallingAggregator } }),
    startGeminiServer({ models: { "gemini-2.0-flash": toolCallingAggregator } }),
  ]);
});
afterAll(async () => {
  await Promise.all(allServers().map((server) => server?.close()));
});
afterEach(() => {
  for (const server of allServers()) server.requests.length = 0;
  aggregatorServers.openai.setScript("gpt-4o", toolCallingAggregator);
});

interface AggregatorCase {
  protocol: Protocol;
  label: string;
  spec: () => ModelInput;
  /** The tool choice the client sends to force the call of the schema's function `name`. */
  forcedChoice: (name: string) => unknown;
}

const aggregators: AggregatorCase[] = [
  {
    protocol: "openai",
    label: "openai:gpt-4o",
    spec: () => ({ model: "openai:gpt-4o", baseURL: `${aggregatorServers.openai.url}/v1`, apiKey: "test-key" }),
    forcedChoice: (name) => ({ type: "function", function: { name } }),
  },
  {
    protocol: "ollama",
    label: "ollama:qwen2.5:14b",
    spec: () => ({ model: "ollama:qwen2.5:14b", baseUrl: aggregatorServers.ollama.url }),
    // ChatOllama sends no tool choice.
    forcedChoice: () => undefined,
  },
  {
    protocol: "gemini",
    label: "google-genai:gemini-2.0-flash",
    spec: () => ({ model: "google-genai:gemini-2.0-flash", apiKey: "test-key", baseUrl: aggregatorServers.gemini.url }),
    forcedChoice: (name) => ({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: [name] } }),
  },
];

const aggregatorCase = (protocol: Protocol) => aggregators.find((a) => a.protocol === protocol) as AggregatorCase;

function mixture(aggregator: ModelInput): MixtureOfAgents {
  return new MixtureOfAgents({
    proposers: [
      { model: "openai:gpt-4o-mini", baseURL: `${proposerOpenAI.url}/v1`, apiKey: "test-key" },
      { model: "ollama:llama3.1:8b", baseUrl: proposerOllama.url },
    ],
    aggregator,
    retry: false,
  });
}

const bodyOf = (request: RecordedRequest | undefined) => (request?.body ?? {}) as Record<string, unknown>;

/** The proposers were asked in plain text: no tools, no response format, just the question. */
function expectPlainProposers(): void {
  const requests = [...proposerOpenAI.requests, ...proposerOllama.requests];
  expect(requests).toHaveLength(2);
  for (const request of requests) {
    expect(request.tools).toEqual([]);
    expect(request.toolChoice).toBeUndefined();
    expect(bodyOf(request)).not.toHaveProperty("response_format");
    expect(bodyOf(request)).not.toHaveProperty("format");
    expect(request.messages).toEqual([{ role: "user", content: QUESTION }]);
  }
}

describe.each(aggregators)("withStructuredOutput, functionCalling (the default), with a $protocol aggregator", (aggregator) => {
  it("a zod schema: the parsed object; the aggregator was forced to call `extract`, with the references", async () => {
    const structured = mixture(aggregator.spec()).withStructuredOutput(weatherReport);
    const report = await structured.invoke(QUESTION);

    expect(report).toEqual(REPORT);
    const requests = aggregatorServers[aggregator.protocol].requests;
    expect(requests).toHaveLength(1);
    expect(requests[0]?.tools).toEqual(["extract"]);
    expect(requests[0]?.toolChoice).toEqual(aggregator.forcedChoice("extract"));
    expect(requests[0]?.messages).toEqual([{ role: "user", content: `${QUESTION}\n\n${REFERENCES}` }]);
    expectPlainProposers();
  });

  it("includeRaw: { raw, parsed }, raw being the aggregator's tool call", async () => {
    const structured = mixture(aggregator.spec()).withStructuredOutput(weatherReport, { includeRaw: true });
    const { raw, parsed } = await structured.invoke(QUESTION);

    expect(parsed).toEqual(REPORT);
    expect(AIMessage.isInstance(raw)).toBe(true);
    expect((raw as AIMessage).tool_calls?.map(({ name, args }) => ({ name, args }))).toEqual([{ name: "extract", args: REPORT }]);
    expect(aggregatorServers[aggregator.protocol].requests.map((r) => r.tools)).toEqual([["extract"]]);
    expectPlainProposers();
  });

  it("a JSON schema object with a name: the parsed object, the function named as given", async () => {
    const structured = mixture(aggregator.spec()).withStructuredOutput(untitledJsonSchema, { name: "weather_report" });
    const report = await structured.invoke(QUESTION);

    expect(report).toEqual(REPORT);
    const [request] = aggregatorServers[aggregator.protocol].requests;
    expect(request?.tools).toEqual(["weather_report"]);
    expect(request?.toolChoice).toEqual(aggregator.forcedChoice("weather_report"));
    expectPlainProposers();
  });
});

describe("withStructuredOutput, other methods", () => {
  it("a JSON schema object without a name, OpenAI aggregator: the function takes the schema's title", async () => {
    const report = await mixture(aggregatorCase("openai").spec()).withStructuredOutput(weatherReportJsonSchema).invoke(QUESTION);

    expect(report).toEqual(REPORT);
    expect(aggregatorServers.openai.requests.map((r) => r.tools)).toEqual([["WeatherReport"]]);
    expectPlainProposers();
  });

  it("jsonSchema with an OpenAI aggregator: JSON text parsed; the request carried response_format, the proposers' did not", async () => {
    aggregatorServers.openai.setScript("gpt-4o", { text: JSON.stringify(REPORT) });
    const structured = mixture(aggregatorCase("openai").spec()).withStructuredOutput(weatherReport, { method: "jsonSchema", includeRaw: true });
    const { raw, parsed } = await structured.invoke(QUESTION);

    expect(parsed).toEqual(REPORT);
    expect((raw as AIMessage).text).toBe(JSON.stringify(REPORT));
    const [request] = aggregatorServers.openai.requests;
    expect(request?.tools).toEqual([]);
    expect(bodyOf(request).response_format).toMatchObject({
      type: "json_schema",
      json_schema: { name: "extract", schema: { type: "object", required: ["city", "temperature", "conditions"] } },
    });
    expect(request?.messages).toEqual([{ role: "user", content: `${QUESTION}\n\n${REFERENCES}` }]);
    expectPlainProposers();
  });

  it("jsonMode with a Gemini aggregator: a MoAConfigError naming it and the methods it supports, before any request", async () => {
    const structured = mixture(aggregatorCase("gemini").spec()).withStructuredOutput(weatherReport, { method: "jsonMode" });
    const error = await structured.invoke(QUESTION).catch((e: unknown) => e);

    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect((error as MoAConfigError).option).toBe("method");
    const message = (error as Error).message;
    expect(message).toContain("google-genai:gemini-2.0-flash");
    expect(message).toContain("jsonMode");
    expect(message).toMatch(/supports:? functionCalling, jsonSchema$/);
    for (const server of allServers()) expect(server.requests).toEqual([]);
  });
});
