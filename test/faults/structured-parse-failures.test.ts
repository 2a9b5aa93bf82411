/**
 * Structured output that does not parse keeps LangChain's contract, over loopback through the real OpenAI
 * and Ollama clients: `{ raw, parsed: null }` with `includeRaw`, otherwise an `OutputParserException` that
 * names the aggregator and shows what it answered (text or tool-call arguments) and its finish reason.
 */
import { OutputParserException } from "@langchain/core/output_parsers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { MixtureOfAgents, type ModelInput } from "../../src/index.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

const report = z.object({ city: z.string(), temperature: z.number() }).describe("A weather report");
const CUT_JSON = '{"city": "Paris", "temper';

let openai: ProtocolServer;
let ollama: ProtocolServer;

beforeAll(async () => {
  [openai, ollama] = await Promise.all([
    startOpenAIServer({
      models: {
        proposer: { text: "Paris, 21 degrees." },
        // JSON cut at the token limit, as text (jsonSchema, jsonMode) and as a tool call's arguments (functionCalling).
        "cut-text": { text: CUT_JSON, finishReason: "length" },
        "cut-call": { toolCalls: (request) => [{ name: request.tools[0] ?? "report", args: {}, argumentsText: CUT_JSON }], finishReason: "length" },
      },
    }),
    startOllamaServer({ models: { "cut-text": { text: CUT_JSON, finishReason: "length" } } }),
  ]);
});
afterAll(async () => {
  await Promise.all([openai, ollama].map((server) => server?.close()));
});

const onOpenAI = (model: string): ModelInput => ({ model: `openai:${model}`, apiKey: "sk-test-key", baseURL: `${openai.url}/v1` });
const onOllama = (model: string): ModelInput => ({ model: `ollama:${model}`, baseUrl: ollama.url });
const mixture = (aggregator: ModelInput) => new MixtureOfAgents({ proposers: [onOpenAI("proposer")], aggregator, retry: { maxRetries: 0 } });

describe("with includeRaw, an answer that does not parse is { raw, parsed: null }", () => {
  it("JSON cut at the token limit under method jsonSchema (OpenAI's client would throw parsing it itself)", async () => {
    const result = await mixture(onOpenAI("cut-text")).withStructuredOutput(report, { method: "jsonSchema", includeRaw: true }).invoke("Weather in Paris?");
    expect(result.parsed).toBeNull();
    expect(result.raw.text).toBe(CUT_JSON);
    expect((result.raw.response_metadata as { finish_reason?: string }).finish_reason).toBe("length");
  });

  it.each([
    ["functionCalling, arguments cut (OpenAI)", () => onOpenAI("cut-call"), "functionCalling"],
    ["jsonMode (OpenAI)", () => onOpenAI("cut-text"), "jsonMode"],
    ["jsonSchema (Ollama)", () => onOllama("cut-text"), "jsonSchema"],
  ] as const)("%s", async (_name, aggregator, method) => {
    const result = await mixture(aggregator()).withStructuredOutput(report, { method, includeRaw: true }).invoke("Weather in Paris?");
    expect(result.parsed).toBeNull();
    expect(result.raw).toBeDefined();
  });
});

describe("without includeRaw, an OutputParserException names the aggregator and shows what it answered", () => {
  it("tool-call arguments cut at the token limit are shown, with the finish reason, not reported as no text", async () => {
    const error = await mixture(onOpenAI("cut-call"))
      .withStructuredOutput(report, { method: "functionCalling", name: "report" })
      .invoke("Weather in Paris?")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputParserException);
    const message = (error as Error).message;
    expect(message).toContain("openai:cut-call");
    // LangChain reads the cut arguments as far as they go: what is shown is what the schema was checked against.
    expect(message).toContain(`report({"city":"Paris"})`);
    expect(message).toMatch(/finish reason "length": it stopped at its token limit/);
    expect(message).not.toContain("(no text)");
  });

  it.each([
    ["jsonSchema (OpenAI)", () => onOpenAI("cut-text"), "openai:cut-text"],
    ["jsonSchema (Ollama)", () => onOllama("cut-text"), "ollama:cut-text"],
  ])("text cut at the token limit under %s", async (_name, aggregator, label) => {
    const error = await mixture(aggregator())
      .withStructuredOutput(report, { method: "jsonSchema" })
      .invoke("Weather in Paris?")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputParserException);
    expect((error as OutputParserException).llmOutput).toBe(CUT_JSON);
    expect((error as Error).message).toContain(label);
    expect((error as Error).message).toContain(CUT_JSON);
    expect((error as Error).message).toMatch(/finish reason "length"/);
  });
});
