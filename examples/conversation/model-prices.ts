/**
 * Model prices from the environment: `MOA_PRICES` holds a JSON object from `"provider:model"` to its
 * prices per million tokens, e.g. `{"openai:gpt-4o":{"inputPerMTok":2.5,"outputPerMTok":10}}`, and the
 * models it names get those prices, so that each turn's cost is known in money.
 */
import { MoAConfigError, type ModelInput, type ModelPrice } from "../../src/index.js";
import { isChatModel } from "../../src/models/validate-spec.js";
import { modelPriceSchema, parseWith } from "../../src/state/options-schema.js";
import { UsageError } from "../../tools/usage-error.js";

/** Prices per million tokens by `"provider:model"` string. */
export type ModelPrices = Readonly<Record<string, ModelPrice>>;

const EXAMPLE = `MOA_PRICES='{"openai:gpt-4o":{"inputPerMTok":2.5,"outputPerMTok":10}}'`;

/**
 * The prices `MOA_PRICES` gives in `env`; empty when it is unset or blank. Throws a {@link UsageError}
 * naming `MOA_PRICES` when it is not JSON or not an object, and naming the key and field that is wrong
 * (a key that is not a `"provider:model"` string, a field that is unknown, missing, or not a finite
 * number >= 0), e.g. `Invalid MOA_PRICES["openai:gpt-4o"].outputPerMTok: expected …`.
 */
export function readModelPrices(env: NodeJS.ProcessEnv): ModelPrices {
  const text = (env.MOA_PRICES ?? "").trim();
  if (text === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`MOA_PRICES is not valid JSON (${error instanceof Error ? error.message : String(error)}); expected e.g. ${EXAMPLE}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`MOA_PRICES must be a JSON object from "provider:model" to { inputPerMTok, outputPerMTok, cachedInputPerMTok? }, e.g. ${EXAMPLE}`);
  }
  return Object.fromEntries(Object.entries(parsed).map(([model, price]) => [model.trim(), priceOf(model, price)]));
}

/**
 * `models` with the prices of `prices`: a `"provider:model"` string that has a price becomes
 * `{ model, price }`, and a spec of such a string gets its `price` unless it gives one itself. Other
 * models (without a price, or chat model instances) are left as they are.
 */
export function withModelPrices(models: readonly ModelInput[], prices: ModelPrices): ModelInput[] {
  return models.map((input) => {
    if (typeof input === "string") {
      const price = prices[input.trim()];
      return price ? { model: input, price } : input;
    }
    if (isChatModel(input) || typeof input.model !== "string" || input.price !== undefined) return input;
    const price = prices[input.model.trim()];
    return price ? { ...input, price } : input;
  });
}

/** The price under `model`, checked; a wrong one is a {@link UsageError} naming `MOA_PRICES["<model>"]` and the field. */
function priceOf(model: string, price: unknown): ModelPrice {
  const option = `MOA_PRICES[${JSON.stringify(model)}]`;
  if (!/^[^:\s]+:\S/.test(model.trim())) throw new UsageError(`Invalid ${option}: the key must be a "provider:model" string, e.g. "openai:gpt-4o"`);
  try {
    return parseWith(modelPriceSchema, price, option);
  } catch (error) {
    throw MoAConfigError.isInstance(error) ? new UsageError(error.message) : error;
  }
}
