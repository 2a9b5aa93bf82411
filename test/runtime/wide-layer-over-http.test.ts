/**
 * Twelve real proposers over the wire (ChatOpenAI against the local OpenAI-protocol server) print no
 * `MaxListenersExceededWarning`: as a graph, as a chat model, and as the graph LangGraph Server gets from
 * the served factory (`server/graph.ts`), streamed and run the way the server runs it (`streamEvents` v2
 * with the run's signal and the client's recursion limit).
 */
import { HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { moa as servedGraph } from "../../server/graph.js";
import { MixtureOfAgents, createMixtureOfAgents, type ModelInput } from "../../src/index.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";
import { warningsDuring } from "./process-warnings.js";

const WIDTH = 12;
let openai: ProtocolServer;
const savedEnv = { OPENAI_BASE_URL: process.env.OPENAI_BASE_URL, OPENAI_API_KEY: process.env.OPENAI_API_KEY };

beforeAll(async () => {
  openai = await startOpenAIServer({ models: {}, fallback: { text: "an answer over the wire", usage: { input: 10, output: 4 } } });
  // The served factory takes models as "provider:model" strings, connected from the environment.
  process.env.OPENAI_BASE_URL = `${openai.url}/v1`;
  process.env.OPENAI_API_KEY = "sk-test-key";
});
afterAll(async () => {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await openai?.close();
});

const onOpenAI = (model: string): ModelInput => ({ model: `openai:${model}`, apiKey: "sk-test-key", baseURL: `${openai.url}/v1` });
const wide = () => ({ proposers: Array.from({ length: WIDTH }, (_, i) => onOpenAI(`p${i}`)), aggregator: onOpenAI("agg") });

describe(`${WIDTH} proposers over HTTP print no MaxListenersExceededWarning`, () => {
  it("graph.invoke, two layers", async () => {
    const seen = await warningsDuring(async () => {
      const state = await createMixtureOfAgents({ ...wide(), layers: 2 }).invoke({ messages: [new HumanMessage("q")] }, { signal: new AbortController().signal });
      expect(state.trace.layers.map((layer) => layer.calls.filter((call) => call.status === "ok").length)).toEqual([WIDTH, WIDTH]);
    });
    expect(seen).toEqual([]);
  });

  it("MixtureOfAgents.invoke and .stream", async () => {
    const seen = await warningsDuring(async () => {
      const moa = new MixtureOfAgents(wide());
      expect((await moa.invoke("q", { signal: new AbortController().signal })).text).toBe("an answer over the wire");
      let text = "";
      for await (const chunk of await moa.stream("q")) text += chunk.text;
      expect(text).toBe("an answer over the wire");
    });
    expect(seen).toEqual([]);
  });

  it("the served graph, streamed with a run's signal", async () => {
    const seen = await warningsDuring(async () => {
      const configurable = { proposers: servedProposers(), aggregator: "openai:agg", layers: 2 };
      const graph = await servedGraph({ configurable });
      let layers = 0;
      for await (const state of await graph.stream({ messages: [new HumanMessage("q")] }, { configurable, streamMode: "values", signal: new AbortController().signal })) {
        layers = state.trace.layers.length;
      }
      expect(layers).toBe(2);
    });
    expect(seen).toEqual([]);
  });

  it("the served graph, run as LangGraph Server runs it", async () => {
    const seen = await warningsDuring(async () => {
      const state = await runServed({ proposers: servedProposers(), aggregator: "openai:agg", layers: 2 });
      expect(state.trace.layers).toHaveLength(2);
    });
    expect(seen).toEqual([]);
  });
});

describe("the served graph's recursion limit", () => {
  it("fits 12 layers under the client's recursion limit of 25", async () => {
    const state = await runServed({ proposers: ["openai:p1", "openai:p2"], aggregator: "openai:agg", layers: 12 }, 25);
    expect(state.trace.layers).toHaveLength(12);
  });
});

const servedProposers = () => Array.from({ length: WIDTH }, (_, i) => `openai:p${i}`);

/**
 * A turn of the graph the served factory gives for `configurable`, run as LangGraph Server runs it:
 * `streamEvents` v2 with the run's signal (and the client's `recursion_limit` when it sets one).
 */
async function runServed(configurable: Record<string, unknown>, recursionLimit?: number): Promise<{ trace: { layers: unknown[] } }> {
  const graph = await servedGraph({ configurable });
  let output: unknown;
  const events = graph.streamEvents(
    { messages: [new HumanMessage("q")] },
    { version: "v2", configurable, streamMode: ["values", "messages"], signal: new AbortController().signal, ...(recursionLimit ? { recursionLimit } : {}) },
  );
  for await (const event of events) if (event.event === "on_chain_end" && event.name === "mixture_of_agents") output = event.data.output;
  return output as { trace: { layers: unknown[] } };
}
