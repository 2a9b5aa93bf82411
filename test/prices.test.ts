/**
 * Model prices: a spec's `price` gives each of its calls that reported usage a `cost` in the trace, summed
 * into its layer's, the turn's and the answer summary's; calls without a cost (no price, no usage) are named,
 * so that a partial cost reads as a lower bound. Through LangChain's fakes and, for prompt-cache reads, the
 * real OpenAI client over loopback HTTP.
 */
import { HumanMessage, type AIMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixtureOfAgents, costOf, createMixtureOfAgents, formatCost, getMoASummary, getMoATrace, type MixtureOfAgentsOptions, type ModelInput, type ModelPrice } from "../src/index.js";
import { configError } from "./support/config-error.js";
import { startOpenAIServer } from "./support/openai-server.js";
import type { ProtocolServer } from "./support/protocol-server.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

const question = { messages: [new HumanMessage("q")] };
/** 10 tokens in and 5 out (the scripted model's default usage) cost (10·2 + 5·8) / 1e6. */
const PROPOSER_PRICE: ModelPrice = { inputPerMTok: 2, outputPerMTok: 8 };
const PROPOSER_CALL = 60e-6;
/** 100 tokens in and 20 out cost (100·3 + 20·15) / 1e6. */
const AGGREGATOR_PRICE: ModelPrice = { inputPerMTok: 3, outputPerMTok: 15 };
const AGGREGATOR_CALL = 600e-6;

const proposer = (model: string, fields: Partial<ConstructorParameters<typeof ScriptedChatModel>[0]> = {}) => new ScriptedChatModel({ model, ...fields });
const aggregator = () => ({ model: new ScriptedChatModel({ model: "agg", usage: { input: 100, output: 20 } }), price: AGGREGATOR_PRICE });

describe("costOf", () => {
  it("prices input less cache reads at inputPerMTok, cache reads at cachedInputPerMTok, output at outputPerMTok, per million", () => {
    const usage = { input_tokens: 1000, output_tokens: 200, total_tokens: 1200, input_token_details: { cache_read: 400 } };
    expect(costOf(usage, { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 })).toBeCloseTo((600 * 2.5 + 400 * 1.25 + 200 * 10) / 1e6, 15);
    // Cache reads default to the input price.
    expect(costOf(usage, { inputPerMTok: 2.5, outputPerMTok: 10 })).toBeCloseTo((1000 * 2.5 + 200 * 10) / 1e6, 15);
    expect(costOf({ input_tokens: 0, output_tokens: 0, total_tokens: 0 }, { inputPerMTok: 2.5, outputPerMTok: 10 })).toBe(0);
  });

  it("bills reasoning tokens that a client counts in total_tokens only (Gemini's thinking) as output", () => {
    const usage = { input_tokens: 100, output_tokens: 10, total_tokens: 150 };
    expect(costOf(usage, { inputPerMTok: 1, outputPerMTok: 10 })).toBeCloseTo((100 + 50 * 10) / 1e6, 15);
  });

  it("formatCost gives 4 significant digits without an exponent", () => {
    expect([0.012345, 1.5, 1234.56, 0.000000123456, 0].map(formatCost)).toEqual(["0.01235", "1.5", "1235", "0.0000001235", "0"]);
  });
});

describe("a turn whose every model has a price", () => {
  it("has each call's cost, each layer's, the turn's and the summary's", async () => {
    const price = PROPOSER_PRICE;
    const state = await createMixtureOfAgents({
      proposers: [{ model: proposer("p1"), price }, { model: proposer("p2"), price }],
      aggregator: aggregator(),
      layers: 2,
    }).invoke(question);
    const answer = state.messages.at(-1) as AIMessage;
    const trace = getMoATrace(answer);

    expect(trace?.layers.flatMap((layer) => layer.calls.map((call) => [call.id, call.layer, call.cost]))).toEqual([
      ["p1", 1, PROPOSER_CALL],
      ["p2", 1, PROPOSER_CALL],
      ["p1", 2, PROPOSER_CALL],
      ["p2", 2, PROPOSER_CALL],
    ]);
    expect(trace?.aggregator.map((call) => call.cost)).toEqual([AGGREGATOR_CALL]);
    for (const layer of trace?.layers ?? []) {
      expect(layer.cost).toBeCloseTo(2 * PROPOSER_CALL, 15);
      expect(layer.costMissing).toBeUndefined();
    }
    expect(trace?.cost).toBeCloseTo(4 * PROPOSER_CALL + AGGREGATOR_CALL, 15);
    expect(trace?.costMissing).toBeUndefined();
    expect(getMoASummary(answer)?.cost).toBe(trace?.cost);
    expect(getMoASummary(answer)).not.toHaveProperty("costMissing");
    expect(state.trace).toEqual(trace);
  });
});

describe("a turn whose cost is partial", () => {
  it("sums the calls that had a cost and names those that answered without one: no price, or no usage reported", async () => {
    const state = await createMixtureOfAgents({
      proposers: [
        { model: proposer("priced"), price: PROPOSER_PRICE },
        proposer("unpriced"),
        { model: proposer("silent", { usage: null }), price: PROPOSER_PRICE },
        { model: proposer("failing", { fail: new Error("down") }), price: PROPOSER_PRICE },
      ],
      aggregator: new ScriptedChatModel({ model: "agg" }),
      layers: 2,
    }).invoke(question);
    const answer = state.messages.at(-1) as AIMessage;
    const missingIn = (layer: number) => [{ id: "unpriced", layer }, { id: "silent", layer }];

    expect(state.trace.layers.map((layer) => [layer.cost, layer.costMissing])).toEqual([
      [PROPOSER_CALL, missingIn(1)],
      [PROPOSER_CALL, missingIn(2)],
    ]);
    expect(state.trace.aggregator[0]).not.toHaveProperty("cost");
    expect(state.trace.cost).toBeCloseTo(2 * PROPOSER_CALL, 15);
    // A failed call returned no answer to price: it is not listed.
    expect(state.trace.costMissing).toEqual([...missingIn(1), ...missingIn(2), { id: "agg", layer: "aggregate" }]);
    expect(getMoASummary(answer)).toMatchObject({ cost: state.trace.cost, costMissing: 5 });
  });

  it("has no cost but names every answer when the priced models reported no usage", async () => {
    const state = await createMixtureOfAgents({
      proposers: [{ model: proposer("silent", { usage: null }), price: PROPOSER_PRICE }],
      aggregator: { model: new ScriptedChatModel({ model: "agg", usage: null }), price: AGGREGATOR_PRICE },
    }).invoke(question);
    expect(state.trace).not.toHaveProperty("cost");
    expect(state.trace.layers[0]).not.toHaveProperty("cost");
    expect(state.trace.costMissing).toEqual([{ id: "silent", layer: 1 }, { id: "agg", layer: "aggregate" }]);
    expect(getMoASummary(state.messages.at(-1) as AIMessage)).toMatchObject({ costMissing: 2 });
    expect(getMoASummary(state.messages.at(-1) as AIMessage)).not.toHaveProperty("cost");
  });
});

describe("a turn without prices", () => {
  it("carries no cost field anywhere: the trace and the summary are as they were", async () => {
    const state = await createMixtureOfAgents({ proposers: [proposer("p1"), proposer("p2")], aggregator: new ScriptedChatModel({ model: "agg" }), layers: 2 }).invoke(question);
    const records = [...state.trace.layers.flatMap((layer) => layer.calls), ...state.trace.aggregator];
    for (const part of [state.trace, ...state.trace.layers, ...records]) {
      expect(part).not.toHaveProperty("cost");
      expect(part).not.toHaveProperty("costMissing");
    }
    expect(Object.keys(getMoASummary(state.messages.at(-1) as AIMessage) ?? {})).toEqual(["turnId", "answeredBy", "layers", "calls", "wallMs"]);
  });
});

describe("prices of models on an OpenAI-compatible server that reads prompts from its cache", () => {
  let server: ProtocolServer;
  beforeAll(async () => {
    // `prompt_tokens_details.cached_tokens`, which ChatOpenAI reads as `input_token_details.cache_read`.
    server = await startOpenAIServer({ models: { "cached-model": { text: "An answer.", usage: { input: 1000, output: 200, cached: 400 } } } });
  });
  afterAll(() => server?.close());

  const at = (price: ModelPrice, name?: string) => ({ model: "openai:cached-model", baseURL: `${server.url}/v1`, apiKey: "sk-test", price, ...(name ? { name } : {}) });
  const withCache: ModelPrice = { inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMTok: 1.25 };
  const withoutCache: ModelPrice = { inputPerMTok: 2.5, outputPerMTok: 10 };

  it("prices cache reads at cachedInputPerMTok, or at inputPerMTok when it is not given", async () => {
    const moa = new MixtureOfAgents({ proposers: [at(withCache, "cached"), at(withoutCache, "plain")], aggregator: at(withCache, "writer") });
    const answer = await moa.invoke("What is a mixture of agents?");
    const trace = getMoATrace(answer);

    expect(trace?.layers[0]?.calls.map((call) => [call.id, call.usage?.input_token_details?.cache_read, call.cost])).toEqual([
      ["cached", 400, (600 * 2.5 + 400 * 1.25 + 200 * 10) / 1e6],
      ["plain", 400, (1000 * 2.5 + 200 * 10) / 1e6],
    ]);
    expect(trace?.cost).toBeCloseTo(0.004 + 0.0045 + 0.004, 15);
    expect(getMoASummary(answer)?.cost).toBe(trace?.cost);
  });
});

describe("a price that is wrong", () => {
  const models = (price: unknown) => ({ proposers: [{ model: "openai:gpt-4o-mini", price }], aggregator: "openai:gpt-4o" }) as MixtureOfAgentsOptions;

  it.each([
    [{ inputPerMTok: -1, outputPerMTok: 10 }, "proposers[0].price.inputPerMTok", "expected a price per million tokens, a finite number >= 0; got -1"],
    [{ inputPerMTok: 2.5, outputPerMTok: Number.POSITIVE_INFINITY }, "proposers[0].price.outputPerMTok", "expected a price per million tokens, a finite number >= 0; got Infinity"],
    [{ inputPerMTok: "2.5", outputPerMTok: 10 }, "proposers[0].price.inputPerMTok", 'expected a price per million tokens, a finite number >= 0; got "2.5"'],
    [{ inputPerMTok: 2.5 }, "proposers[0].price.outputPerMTok", "expected a price per million tokens, a finite number >= 0; got undefined"],
    [{ inputPerMTok: 2.5, outputPerMTok: 10, cachedInputPerMtok: 1 }, "proposers[0].price", "unknown field(s) cachedInputPerMtok; valid fields: inputPerMTok, outputPerMTok, cachedInputPerMTok"],
    [2.5, "proposers[0].price", "expected prices per million tokens { inputPerMTok, outputPerMTok, cachedInputPerMTok? }, e.g. { inputPerMTok: 2.5, outputPerMTok: 10 }; got 2.5"],
  ])("is refused at construction, naming the field: %j", (price, option, message) => {
    expect(configError(() => createMixtureOfAgents(models(price)))).toMatchObject({ option, message: `Invalid ${option}: ${message}` });
  });

  it("names the aggregator's price, and the chat model's fields too", () => {
    const aggregator = { model: "openai:gpt-4o", price: { input: 2.5, outputPerMTok: 10 } } as unknown as ModelInput;
    const error = configError(() => new MixtureOfAgents({ proposers: ["openai:gpt-4o-mini"], aggregator }));
    expect(error.option).toBe("aggregator.price");
    expect(error.message).toMatch(/unknown field\(s\) input; valid fields: inputPerMTok, outputPerMTok, cachedInputPerMTok$/);
  });

  it("is accepted on a chat model instance (a price is not a setting of a model created from a string)", () => {
    expect(() => createMixtureOfAgents({ proposers: [{ model: proposer("p"), price: PROPOSER_PRICE }], aggregator: { model: proposer("agg"), price: { inputPerMTok: 0, outputPerMTok: 0 } } })).not.toThrow();
  });
});
