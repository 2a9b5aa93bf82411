/**
 * The conversation example's prices: `MOA_PRICES` read and checked, its prices given to the models chosen,
 * and the turn's cost on the line after each answer.
 */
import { describe, expect, it } from "vitest";
import type { CallRecord, ModelInput, MoATrace } from "../../src/index.js";
import { readModelPrices, withModelPrices } from "../../examples/conversation/model-prices.js";
import { resolveSettings, type Settings } from "../../examples/conversation/settings.js";
import { turnSummary } from "../../examples/conversation/turn-summary.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";

const GPT_4O = { inputPerMTok: 2.5, outputPerMTok: 10 };
const MINI = { inputPerMTok: 0.15, outputPerMTok: 0.6, cachedInputPerMTok: 0.075 };
const env = (prices: unknown) => ({ MOA_PRICES: typeof prices === "string" ? prices : JSON.stringify(prices) });
const messageOf = (read: () => unknown) => {
  try {
    read();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error("no error");
};

describe("MOA_PRICES", () => {
  it("maps each \"provider:model\" to its prices; unset or blank is no prices", () => {
    expect(readModelPrices(env({ "openai:gpt-4o": GPT_4O, "openai:gpt-4o-mini": MINI }))).toEqual({ "openai:gpt-4o": GPT_4O, "openai:gpt-4o-mini": MINI });
    expect(readModelPrices({})).toEqual({});
    expect(readModelPrices({ MOA_PRICES: "  " })).toEqual({});
  });

  it.each([
    ["{not json", /^MOA_PRICES is not valid JSON \(.+\); expected e\.g\. MOA_PRICES='\{"openai:gpt-4o":\{"inputPerMTok":2\.5,"outputPerMTok":10\}\}'$/],
    [[GPT_4O], /^MOA_PRICES must be a JSON object from "provider:model" to \{ inputPerMTok, outputPerMTok, cachedInputPerMTok\? \}/],
    [{ "gpt-4o": GPT_4O }, /^Invalid MOA_PRICES\["gpt-4o"\]: the key must be a "provider:model" string, e\.g\. "openai:gpt-4o"$/],
    [{ "openai:gpt-4o": { inputPerMTok: 2.5 } }, /^Invalid MOA_PRICES\["openai:gpt-4o"\]\.outputPerMTok: expected a price per million tokens, a finite number >= 0; got undefined$/],
    [{ "openai:gpt-4o": { ...GPT_4O, inputPerMTok: -2.5 } }, /^Invalid MOA_PRICES\["openai:gpt-4o"\]\.inputPerMTok: expected a price per million tokens, a finite number >= 0; got -2\.5$/],
    [{ "openai:gpt-4o": { ...GPT_4O, cachedPerMTok: 1 } }, /^Invalid MOA_PRICES\["openai:gpt-4o"\]: unknown field\(s\) cachedPerMTok; valid fields: inputPerMTok, outputPerMTok, cachedInputPerMTok$/],
    [{ "openai:gpt-4o": "2.5" }, /^Invalid MOA_PRICES\["openai:gpt-4o"\]: expected prices per million tokens/],
  ])("refuses %j with a usage error naming MOA_PRICES and what is wrong", (prices, message) => {
    const error = messageOf(() => readModelPrices(env(prices)));
    expect(error.name).toBe("UsageError");
    expect(error.message).toMatch(message);
  });
});

describe("withModelPrices", () => {
  const prices = { "openai:gpt-4o": GPT_4O, "openai:gpt-4o-mini": MINI };

  it("gives priced strings and specs of strings their price, and leaves the rest as they are", () => {
    const instance = new ScriptedChatModel({ model: "openai:gpt-4o" });
    const own = { inputPerMTok: 1, outputPerMTok: 1 };
    const models: ModelInput[] = [
      "openai:gpt-4o",
      " openai:gpt-4o-mini ",
      "ollama:llama3.1",
      { model: "openai:gpt-4o-mini", samples: 3, temperature: 0.7 },
      { model: "openai:gpt-4o", price: own },
      { model: "ollama:qwen2.5" },
      instance,
    ];
    expect(withModelPrices(models, prices)).toEqual([
      { model: "openai:gpt-4o", price: GPT_4O },
      { model: " openai:gpt-4o-mini ", price: MINI },
      "ollama:llama3.1",
      { model: "openai:gpt-4o-mini", samples: 3, temperature: 0.7, price: MINI },
      { model: "openai:gpt-4o", price: own },
      { model: "ollama:qwen2.5" },
      instance,
    ]);
    expect(withModelPrices(models, {})).toEqual(models);
  });

  it("prices the models the conversation is started with", async () => {
    const resolved = await resolveSettings(["--proposers", "openai:gpt-4o-mini,ollama:llama3.1", "--aggregator", "openai:gpt-4o"], env(prices));
    const { moa } = (resolved as { settings: Settings }).settings;
    expect(moa.proposers).toEqual([{ model: "openai:gpt-4o-mini", price: MINI }, "ollama:llama3.1"]);
    expect(moa.aggregator).toEqual({ model: "openai:gpt-4o", price: GPT_4O });
  });
});

describe("the turn summary's cost", () => {
  const usage = { input_tokens: 120, output_tokens: 48, total_tokens: 168 };
  const call = (id: string, cost?: number): CallRecord => ({ id, model: id, layer: 1, status: "ok", startedAt: 0, latencyMs: 1, usage, ...(cost !== undefined ? { cost } : {}) });
  const trace = (calls: CallRecord[], costs: Pick<MoATrace, "cost" | "costMissing">): MoATrace => ({
    layers: [{ layer: 1, wallMs: 1, usage, calls }],
    aggregator: [{ ...call("agg"), layer: "aggregate" }],
    usage,
    calls: calls.length + 1,
    wallMs: 1,
    ...costs,
  });
  const line = (t: MoATrace) => turnSummary({ kind: "answered", text: "a", trace: t, usage, elapsedMs: 2400 });

  it("follows the tokens, with 4 significant digits", () => {
    expect(line(trace([call("p1", 0.0061234), call("p2", 0.0061234)], { cost: 0.0183702 }))).toBe("2.4 s · 3 calls · 120 tokens in, 48 out · cost 0.01837");
  });

  it("is a lower bound when some answers had no cost, and unknown when none had", () => {
    const missing = [{ id: "p2", layer: 1 }];
    expect(line(trace([call("p1", 0.0061234), call("p2")], { cost: 0.0122468, costMissing: missing }))).toBe(
      "2.4 s · 3 calls · 120 tokens in, 48 out · cost ≥ 0.01225 (2 of 3 answers with a cost)",
    );
    expect(line(trace([call("p1")], { costMissing: [{ id: "p1", layer: 1 }, { id: "agg", layer: "aggregate" }] }))).toBe("2.4 s · 2 calls · 120 tokens in, 48 out · cost unknown");
  });

  it("is left out when no model has a price", () => {
    expect(line(trace([call("p1")], {}))).toBe("2.4 s · 2 calls · 120 tokens in, 48 out");
  });
});
