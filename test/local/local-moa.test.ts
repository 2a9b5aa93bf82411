/**
 * A whole Mixture-of-Agents on the real llama.cpp engine: `"llama-cpp:<path>"` models (a tiny random-
 * weight model the test writes) as proposers (Self-MoA samples) and aggregator, one model in memory for
 * all of them; a turn's trace and usage, the aggregator's tokens streamed, a thread of several turns,
 * an aborted turn that leaves the thread as it was, and the chat model's tools and structured output.
 */
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createMixtureOfAgents, MixtureOfAgents, MoAConfigError, type ModelInput } from "../../src/index.js";
import { loadedCounts } from "../../src/local/local-engine.js";
import { useTinyGguf } from "../support/tiny-gguf.js";

const tinyModel = useTinyGguf();
/** A test's bound: llama.cpp shares 2 cores with the rest of a loaded CI machine. */
const ENGINE_TEST_MS = 90_000;

const ENGINE = { gpu: false, threads: 1 } as const;
function models(maxTokens = 16): { proposers: ModelInput[]; aggregator: ModelInput } {
  const model = `llama-cpp:${tinyModel().path}`;
  return {
    proposers: [{ model, samples: 3, temperature: 0.9, maxTokens, params: ENGINE }],
    aggregator: { model, temperature: 0.7, maxTokens, params: ENGINE },
  };
}

describe("a mixture of local models", { timeout: ENGINE_TEST_MS }, () => {
  it("answers a turn over two layers: 3 samples a layer and the aggregator, one model loaded for all", async () => {
    const graph = createMixtureOfAgents({ ...models(), layers: 2 });
    const result = await graph.invoke({ messages: [new HumanMessage("Tell me about the river.")] });
    const answer = result.messages.at(-1) as AIMessage;
    expect(AIMessage.isInstance(answer)).toBe(true);
    expect(result.trace.calls).toBe(7);
    expect(result.trace.layers.map((layer) => layer.calls.map((call) => call.id))).toEqual([
      [`llama-cpp:${tinyModel().path}#1`, `llama-cpp:${tinyModel().path}#2`, `llama-cpp:${tinyModel().path}#3`],
      [`llama-cpp:${tinyModel().path}#1`, `llama-cpp:${tinyModel().path}#2`, `llama-cpp:${tinyModel().path}#3`],
    ]);
    // Layer 2 and the aggregator read the references: their prompts are longer than layer 1's.
    const promptOf = (layer: number) => result.trace.layers[layer]?.calls[0]?.usage?.input_tokens ?? 0;
    expect(promptOf(1)).toBeGreaterThan(promptOf(0));
    expect(answer.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(result.trace.usage?.input_tokens).toBeGreaterThan(promptOf(0) * 3);
    // The proposers' strings and the aggregator's were created apart, yet run on one loaded model and one context.
    expect(loadedCounts()).toEqual({ models: 1, contexts: 1 });
  });

  it("streams the aggregator's tokens, told apart from the proposers'", async () => {
    // A model of random weights may end an answer at its first token (no text); a second aggregator then answers.
    const { proposers, aggregator } = models();
    const graph = createMixtureOfAgents({ proposers, aggregator: [aggregator, aggregator] });
    const aggregatorTokens: string[] = [];
    const proposerChunks = new Set<string>();
    let final: AIMessage | undefined;
    for await (const [mode, data] of await graph.stream({ messages: [new HumanMessage("Tell me about the fish.")] }, { streamMode: ["messages", "values"] })) {
      if (mode === "messages") {
        const [chunk, metadata] = data as [{ text: string }, Record<string, unknown>];
        if (metadata.moa_role === "aggregator") aggregatorTokens.push(chunk.text);
        else proposerChunks.add(String(metadata.moa_proposer));
      } else final = (data as { messages: AIMessage[] }).messages.at(-1);
    }
    expect(aggregatorTokens.length).toBeGreaterThan(1);
    expect(aggregatorTokens.join("")).toBe(final?.content);
    expect(proposerChunks.size).toBe(3);
  });

  it("keeps a thread over several turns; an aborted turn leaves it as it was", async () => {
    const graph = createMixtureOfAgents({ ...models(), checkpointer: new MemorySaver() });
    const thread = { configurable: { thread_id: "local" } };
    for (const question of ["Tell me about the river.", "And the fish?", "Why?"]) await graph.invoke({ messages: [new HumanMessage(question)] }, thread);
    const before = (await graph.getState(thread)).values.messages as AIMessage[];
    expect(before.map((m) => m.getType())).toEqual(["human", "ai", "human", "ai", "human", "ai"]);
    // The third turn's first proposer read the whole thread.
    // Aborted at the first token a model writes: mid-turn however fast the tiny model is.
    const controller = new AbortController();
    const abortAtFirstToken = { handleLLMNewToken: () => controller.abort() };
    const turn = graph.invoke({ messages: [new HumanMessage("A long answer, please.")] }, { ...thread, signal: controller.signal, callbacks: [abortAtFirstToken] });
    await expect(turn).rejects.toThrow();
    const after = (await graph.getState(thread)).values.messages as AIMessage[];
    expect(after.map((m) => m.content)).toEqual(before.map((m) => m.content));
  });
});

describe("MixtureOfAgents of local models as a chat model", { timeout: ENGINE_TEST_MS }, () => {
  const weather = tool(async ({ city }) => `sunny in ${city}`, { name: "get_weather", description: "The weather in a city", schema: z.object({ city: z.enum(["Paris", "Rome"]) }) });

  it("the aggregator calls a forced tool, with arguments that fit its schema", async () => {
    const moa = new MixtureOfAgents(models(300));
    const message = await moa.bindTools([weather], { tool_choice: "get_weather" }).invoke([new HumanMessage("Weather in Rome?")]);
    expect(message.tool_calls?.[0]?.name).toBe("get_weather");
    expect(weather.schema.safeParse(message.tool_calls?.[0]?.args).success).toBe(true);
  });

  it("gives structured output under the schema's grammar", async () => {
    const schema = z.object({ verdict: z.enum(["yes", "no"]), sure: z.boolean() });
    const result = await new MixtureOfAgents(models(300)).withStructuredOutput(schema).invoke([new HumanMessage("Is the river long?")]);
    expect(schema.safeParse(result).success).toBe(true);
  });

  it("refuses a base URL or an API key for a local model, at construction", () => {
    expect(() => new MixtureOfAgents({ proposers: [{ model: `llama-cpp:${tinyModel().path}`, baseURL: "http://127.0.0.1:1" }], aggregator: `llama-cpp:${tinyModel().path}` })).toThrow(MoAConfigError);
    expect(() => new MixtureOfAgents({ proposers: [{ model: `llama-cpp:${tinyModel().path}`, apiKey: "k" }], aggregator: `llama-cpp:${tinyModel().path}` })).toThrow(/take no API key/);
  });

  it("names a local model file that does not exist before any model runs", async () => {
    const missing = `${tinyModel().dir}/missing.gguf`;
    const moa = createMixtureOfAgents({ proposers: [`llama-cpp:${tinyModel().path}`, `llama-cpp:${missing}`], aggregator: `llama-cpp:${tinyModel().path}` });
    await expect(moa.invoke({ messages: [new HumanMessage("q")] })).rejects.toThrow(`Invalid proposers[1]: the model file ${missing} does not exist; give an existing .gguf path, an https:// URL or an "hf:<user>/<repo>:<quant>" URI`);
  });

  it("names an invalid or misspelt engine field under params when the mixture is made", () => {
    const make = (params: Record<string, unknown>) => () => createMixtureOfAgents({ proposers: [{ model: `llama-cpp:${tinyModel().path}`, params }], aggregator: `llama-cpp:${tinyModel().path}` });
    expect(make({ threads: 0 })).toThrow("Invalid proposers[0].params.threads: expected an integer >= 1; got 0");
    expect(make({ contextsize: 512 })).toThrow(/^Invalid proposers\[0\]\.params: unknown field\(s\) contextsize; a "llama-cpp:" model's params take: .*contextSize/);
    expect(make({ contextSize: 512, sequences: 2, tags: ["t"] })).not.toThrow();
  });
});
