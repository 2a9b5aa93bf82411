import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MoAConfigError, createMixtureOfAgents, type MoATrace, type ReferencePlacement } from "../src/index.js";
import { withReferences } from "../src/prompts/place-references.js";
import { brief, expectedReferenceText } from "./support/conversation.js";
import { startGeminiServer } from "./support/gemini-server.js";
import { startOllamaServer } from "./support/ollama-server.js";
import { startOpenAIServer } from "./support/openai-server.js";
import { promptTokens } from "./support/prompt-cache.js";
import type { ProtocolServer, RecordedRequest } from "./support/protocol-server.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

const INSTRUCTION = "Improve on these.";

async function twoLayerRequests(referencePlacement?: ReferencePlacement) {
  const p1 = new ScriptedChatModel({ model: "p1", answer: "A" });
  const p2 = new ScriptedChatModel({ model: "p2", answer: "B" });
  const aggregator = new ScriptedChatModel({ model: "agg" });
  await createMixtureOfAgents({
    proposers: [p1, p2],
    aggregator,
    layers: 2,
    aggregatorPrompt: INSTRUCTION,
    ...(referencePlacement ? { referencePlacement } : {}),
  }).invoke({ messages: [new SystemMessage("Be brief."), new HumanMessage("q")] });
  return { p1, aggregator };
}

describe("where the instruction and references go (referencePlacement)", () => {
  const references = expectedReferenceText(INSTRUCTION, ["A", "B"]);

  it("by default at the end of the user's last message, so that every call of the turn starts with the same messages", async () => {
    const { p1, aggregator } = await twoLayerRequests();
    expect(brief(p1.calls[0] ?? [])).toEqual([["system", "Be brief."], ["human", "q"]]);
    expect(brief(p1.calls[1] ?? [])).toEqual([["system", "Be brief."], ["human", `q\n\n${references}`]]);
    expect(brief(aggregator.calls[0] ?? [])).toEqual([["system", "Be brief."], ["human", `q\n\n${references}`]]);
  });

  it('"system_message" appends them to the system message, as the MoA paper\'s implementation does', async () => {
    const { p1, aggregator } = await twoLayerRequests("system_message");
    expect(brief(p1.calls[1] ?? [])).toEqual([["system", `Be brief.\n\n${references}`], ["human", "q"]]);
    expect(brief(aggregator.calls[0] ?? [])).toEqual([["system", `Be brief.\n\n${references}`], ["human", "q"]]);
  });

  it("after tool results, in a user message of its own; with content parts, as one more text part; the caller's messages unchanged", () => {
    const toolTurn = [new HumanMessage("q"), new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "lookup", args: {} }] }), new ToolMessage({ content: "42", tool_call_id: "c1" })];
    expect(brief(withReferences(toolTurn, { system: "Own prompt.", references: "R" }, "last_message"))).toEqual([
      ["system", "Own prompt."],
      ["human", "q"],
      ["ai", ""],
      ["tool", "42"],
      ["human", "R"],
    ]);
    const image = new HumanMessage({ id: "u1", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] });
    const [asked] = withReferences([image], { references: "R" }, "last_message");
    expect(asked?.content).toEqual([...(image.content as object[]), { type: "text", text: "R" }]);
    expect(asked?.id).toBe("u1");
    expect((image.content as object[]).length).toBe(2);
  });

  it("refuses a placement it does not know, naming the valid ones", () => {
    const model = new ScriptedChatModel({ model: "m" });
    expect(() => createMixtureOfAgents({ proposers: [model], aggregator: model, referencePlacement: "end" as ReferencePlacement })).toThrow(MoAConfigError);
    expect(() => createMixtureOfAgents({ proposers: [model], aggregator: model, referencePlacement: "end" as ReferencePlacement })).toThrow(
      'referencePlacement: expected "last_message" or "system_message"; got "end"',
    );
  });
});

describe("cached prompt tokens, as the provider reports them, over HTTP", () => {
  let server: ProtocolServer;
  beforeAll(async () => {
    // Every answer is new text of a paragraph's length, as real answers are: references differ from layer
    // to layer and turn to turn, and the conversation soon outgrows the instruction.
    const answered = new Map<string, number>();
    const text = (request: RecordedRequest) => {
      const n = (answered.get(request.model) ?? 0) + 1;
      answered.set(request.model, n);
      return `Answer ${n} of ${request.model}: ${"a paragraph of about sixty words that explains the matter step by step ".repeat(5)}`;
    };
    server = await startOpenAIServer({ models: {}, fallback: { text, usage: "counted" } });
  });
  afterAll(() => server?.close());

  async function threeTurns(referencePlacement: ReferencePlacement, tag: string) {
    const at = (model: string) => ({ model: `openai:${tag}-${model}`, baseURL: `${server.url}/v1`, apiKey: "test-key" });
    const graph = createMixtureOfAgents({ proposers: [at("p1"), at("p2")], aggregator: at("p1"), layers: 2, referencePlacement, checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: tag } };
    const traces: MoATrace[] = [];
    for (const question of ["First question?", "Second question?", "Third question?"]) {
      const state = await graph.invoke({ messages: [new HumanMessage(question)] }, config);
      traces.push(state.trace);
    }
    const requests = server.requests.filter((r) => r.model.startsWith(`${tag}-`));
    return { traces, requests };
  }

  const cachedOf = (request: RecordedRequest) => {
    const index = server.requests.indexOf(request);
    const earlier = server.requests.slice(0, index).filter((r) => r.model === request.model).map((r) => promptTokens(r.messages));
    const tokens = promptTokens(request.messages);
    return Math.max(0, ...earlier.map((prompt) => tokens.findIndex((token, i) => prompt[i] !== token)).map((i) => (i === -1 ? tokens.length : i)));
  };

  it("with the default placement, a layer-2 call reads its whole conversation from the cache its layer-1 call filled", async () => {
    const { requests } = await threeTurns("last_message", "last");
    const [layer1, layer2] = requests.filter((r) => r.model === "last-p2");
    // Everything but the marker that ends the user's message: the references follow the question in it.
    expect(cachedOf(layer2 as RecordedRequest)).toBe(promptTokens((layer1 as RecordedRequest).messages).length - 1);
    expect(layer2?.messages.at(-1)?.content.startsWith("First question?\n\n")).toBe(true);
  });

  it("the trace keeps each call's cached tokens (input_token_details.cache_read) and sums them per layer and per turn", async () => {
    const { traces } = await threeTurns("last_message", "sums");
    for (const trace of traces) {
      const calls = [...trace.layers.flatMap((layer) => layer.calls), ...trace.aggregator];
      const perCall = calls.map((call) => call.usage?.input_token_details?.cache_read ?? 0);
      expect(perCall.some((cached) => cached > 0)).toBe(true);
      expect(trace.usage?.input_token_details?.cache_read).toBe(perCall.reduce((a, b) => a + b, 0));
      for (const layer of trace.layers) {
        expect(layer.usage?.input_token_details?.cache_read).toBe(layer.calls.reduce((sum, call) => sum + (call.usage?.input_token_details?.cache_read ?? 0), 0));
      }
    }
  });

  it("the trace's cached counts are the server's, and the default placement has more of them than the system-message one", async () => {
    const share = (traces: MoATrace[]) => {
      const cached = traces.reduce((sum, t) => sum + (t.usage?.input_token_details?.cache_read ?? 0), 0);
      const input = traces.reduce((sum, t) => sum + (t.usage?.input_tokens ?? 0), 0);
      return cached / input;
    };
    const last = await threeTurns("last_message", "share-last");
    const system = await threeTurns("system_message", "share-system");
    for (const run of [last, system]) {
      const reported = run.traces.reduce((sum, t) => sum + (t.usage?.input_token_details?.cache_read ?? 0), 0);
      expect(reported).toBe(run.requests.reduce((sum, r) => sum + cachedOf(r), 0));
    }
    expect(share(last.traces)).toBeGreaterThan(share(system.traces) + 0.1);
  });
});

describe("what the Ollama and Gemini protocol servers report of a cached prefix", () => {
  it("Ollama evaluates only what its KV cache does not hold (prompt_eval_count); Gemini reports cachedContentTokenCount as cache_read", async () => {
    const ollama = await startOllamaServer({ models: { "llama3.1:8b": { text: "An answer.", usage: "counted" } } });
    const gemini = await startGeminiServer({ models: { "gemini-2.0-flash": { text: "An answer.", usage: "counted" } } });
    try {
      const models = [{ model: "ollama:llama3.1:8b", baseURL: ollama.url }, { model: "google-genai:gemini-2.0-flash", apiKey: "gemini-test-key", baseUrl: gemini.url }];
      const graph = createMixtureOfAgents({ proposers: models, aggregator: models[1] as (typeof models)[number], layers: 2 });
      const { trace } = await graph.invoke({ messages: [new HumanMessage("Why do prompt caches matter?")] });
      const [ollamaLayer1, ollamaLayer2] = trace.layers.map((layer) => layer.calls[0]?.usage);
      const layer1Tokens = promptTokens(ollama.requests[0]?.messages ?? []).length;
      const layer2Tokens = promptTokens(ollama.requests[1]?.messages ?? []).length;
      expect(ollamaLayer1?.input_tokens).toBe(layer1Tokens);
      // Layer 2 starts with layer 1's whole prompt but its closing marker: only the rest is evaluated.
      expect(ollamaLayer2?.input_tokens).toBe(layer2Tokens - (layer1Tokens - 1));
      const geminiLayer2 = trace.layers[1]?.calls[1]?.usage;
      expect(geminiLayer2?.input_token_details?.cache_read).toBe(promptTokens(gemini.requests[0]?.messages ?? []).length - 1);
    } finally {
      await Promise.all([ollama.close(), gemini.close()]);
    }
  });
});
