/**
 * Tools at the edges of what providers take: a schema a provider refuses (named before any request
 * leaves), tool results as content arrays for Ollama, an answer that does not fit a schema.
 */
import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { DEFAULT_AGGREGATOR_PROMPT, MixtureOfAgents, MoAConfigError } from "../../src/index.js";
import { expectedReferenceText } from "../support/conversation.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

let gemini: ProtocolServer;
let openai: ProtocolServer;
let ollama: ProtocolServer;
beforeAll(async () => {
  [gemini, openai, ollama] = await Promise.all([
    startGeminiServer({ models: {}, fallback: {} }),
    startOpenAIServer({ models: { wrong: { toolCalls: [{ name: "extract", args: { city: 5 } }] } }, fallback: {} }),
    startOllamaServer({ models: {}, fallback: { text: "It is sunny." } }),
  ]);
});
afterAll(() => Promise.all([gemini.close(), openai.close(), ollama.close()]));

/** Gemini's API refuses an empty string among an enum's values; its LangChain client checks it when binding. */
const pickColour = tool(async ({ colour }: { colour: string }) => colour, {
  name: "pick_colour",
  description: "Pick a colour",
  schema: z.object({ colour: z.enum(["", "red"]) }),
});

async function rejection(run: () => Promise<unknown>): Promise<MoAConfigError> {
  const error = await run().then(() => undefined, (thrown: unknown) => thrown);
  if (!MoAConfigError.isInstance(error)) throw new Error(`expected a MoAConfigError, got ${String(error)}`);
  return error;
}

it("a tool whose schema the aggregator's provider rejects fails the turn before any request", async () => {
  const moa = new MixtureOfAgents({
    proposers: [{ model: "openai:small", baseURL: `${openai.url}/v1`, apiKey: "test-key" }],
    aggregator: { model: "google-genai:gemini-2.0-flash", baseUrl: gemini.url, apiKey: "test-key" },
    retry: false,
  });
  const error = await rejection(() => moa.bindTools([pickColour]).invoke([new HumanMessage("Pick one")]));
  expect(error.option).toBe("tools");
  expect(error.message).toMatch(/the aggregator google-genai:gemini-2.0-flash \(ChatGoogleGenerativeAI\) refuses the tools: .*empty string/);
  expect([...gemini.requests, ...openai.requests]).toEqual([]);
});

it("a tool_choice naming no bound tool is refused when binding", () => {
  const moa = new MixtureOfAgents({ proposers: ["openai:small"], aggregator: "openai:large" });
  expect(() => moa.bindTools([pickColour], { tool_choice: "pick_color" })).toThrow(/Invalid tool_choice: "pick_color" names no bound tool/);
});

it("tool results given as text parts reach an Ollama aggregator, whose client takes only strings", async () => {
  const moa = new MixtureOfAgents({
    proposers: [{ model: "openai:small", baseURL: `${openai.url}/v1`, apiKey: "test-key" }],
    aggregator: { model: "ollama:llama3.1", baseUrl: ollama.url },
    retry: false,
    proposeOn: "every_call",
  });
  const answer = await moa.bindTools([pickColour]).invoke([
    new HumanMessage("Pick one"),
    new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "pick_colour", args: { colour: "red" }, type: "tool_call" }] }),
    new ToolMessage({ content: [{ type: "text", text: "red, " }, { type: "text", text: "picked" }], tool_call_id: "c1" }),
  ]);
  expect(answer.text).toBe("It is sunny.");
  // The tool result, then the references in a user message of their own (the default referencePlacement).
  expect(ollama.requests.at(-1)?.messages.slice(-2)).toMatchObject([
    { role: "tool", content: "red, picked" },
    { role: "user", content: expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, ["small answer"]) },
  ]);
});

it("an answer that does not fit the schema fails naming the aggregator and what it answered", async () => {
  const moa = new MixtureOfAgents({
    proposers: [{ model: "openai:small", baseURL: `${openai.url}/v1`, apiKey: "test-key" }],
    aggregator: { model: "openai:wrong", baseURL: `${openai.url}/v1`, apiKey: "test-key" },
    retry: false,
  });
  const Out = z.object({ city: z.string() });
  await expect(moa.withStructuredOutput(Out).invoke("Where?")).rejects.toThrow(/The aggregator openai:wrong answered what does not fit the structured output's schema: extract\(\{"city":5\}\)/);
  const { parsed, raw } = await moa.withStructuredOutput(Out, { includeRaw: true }).invoke("Where?");
  expect(parsed).toBeNull();
  expect((raw as AIMessage).tool_calls?.[0]?.args).toEqual({ city: 5 });
});
