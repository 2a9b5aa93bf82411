/** What an aggregator's provider cannot take is refused before any request leaves, naming the model. */
import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { afterAll, beforeAll, expect, it } from "vitest";
import { z } from "zod";
import { MixtureOfAgents, MoAConfigError } from "../../src/index.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

let gemini: ProtocolServer;
let openai: ProtocolServer;
beforeAll(async () => {
  [gemini, openai] = await Promise.all([startGeminiServer({ models: {}, fallback: {} }), startOpenAIServer({ models: {}, fallback: {} })]);
});
afterAll(() => Promise.all([gemini.close(), openai.close()]));

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
