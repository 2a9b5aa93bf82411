import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { signalAwareFetch } from "./call-signal.js";
import type { ConcurrencyLimit } from "./concurrency-limit.js";
import { apiKeysOf } from "./connection-params.js";
import { lazyModel } from "./create-model.js";
import { explainCallError } from "./explain-call-error.js";
import type { ModelInput, ModelSpec } from "./model-spec.js";
import type { ModelPrice } from "./price.js";
import { parseModelString } from "./parse-model-string.js";
import { resolveConnection, unsupportedSettings } from "./providers.js";
import { LOCAL_PROVIDER, localModel } from "./local-model.js";
import { MoAConfigError } from "../errors.js";
import { validateSpec } from "./validate-spec.js";

/** One model call per layer: a proposer (or an aggregator), with everything needed to call it. */
export interface ModelSlot {
  /** Unique among the slots of its role: the label, with `#k` appended when a label repeats. */
  readonly id: string;
  /** The model's display name: the spec's `name`, the model string, or the instance's model name. */
  readonly label: string;
  /** Position among the slots of its role; proposals are ordered by it. */
  readonly index: number;
  /** The model's own system prompt, if its spec gave one. */
  readonly system?: string;
  /** The chat model; created on first use and shared by every sample of the same spec. */
  readonly getModel: () => Promise<BaseChatModel>;
  /** The chat model if it exists already (an instance, or a string's model after its first use). */
  readonly peekModel: () => BaseChatModel | undefined;
  /** The provider of a model given as a `"provider:model"` string. */
  readonly provider?: string;
  /** The spec's fields that shape a string model's answers (`temperature`, `maxTokens`, `baseURL`, `params`); never its API key. */
  readonly settings?: Readonly<Record<string, unknown>>;
  /** One line saying why a call failed and what would fix it. */
  readonly explainError: (error: unknown) => string;
  /** The most input tokens a request may hold, as the spec gave it (`maxInputTokens`). */
  readonly maxInputTokens?: number;
  /** The model's prices per million tokens, as the spec gave them (`price`): its calls' costs are priced with them. */
  readonly price?: ModelPrice;
  /** The concurrency limits every call of this slot must hold a permit of. */
  readonly limits: readonly ConcurrencyLimit[];
  /**
   * The model's client requests through {@link signalAwareFetch}, so a call must run under
   * `withCallSignal` for its abort signal to close the connection (a string's Ollama model).
   */
  readonly usesCallSignal?: true;
}

/** Picks the concurrency limits of a model from its provider (for strings) and its display name. */
export type LimitsFor = (provider: string | undefined, label: string) => ConcurrencyLimit[];

/** Model slots and the API keys their specs gave, in `apiKey` or in `params` (to be kept out of errors and logs). */
export interface ModelSlots {
  readonly slots: ModelSlot[];
  readonly apiKeys: string[];
}

/**
 * Validates model inputs (one model, or a list) and expands them into slots (one per sample), in the
 * order given. `option` names the option in errors as the user gave it: `aggregator` for one model,
 * `proposers[2]` for one of a list.
 */
export function toModelSlots(input: ModelInput | readonly ModelInput[], option: string, limitsFor: LimitsFor = () => []): ModelSlots {
  const apiKeys: string[] = [];
  const inputs: readonly ModelInput[] = Array.isArray(input) ? input : [input as ModelInput];
  const nameOf = (i: number) => (Array.isArray(input) ? `${option}[${i}]` : option);
  const expanded = inputs.flatMap((input, i) => {
    const spec = validateSpec(input, nameOf(i));
    apiKeys.push(...apiKeysOf(spec));
    const samples = spec.samples ?? 1;
    const label = spec.name ?? labelOf(spec.model);
    const call = callable(spec, nameOf(i), label);
    const limits = limitsFor(call.provider, label);
    const { getModel, peekModel, explainError, provider, usesCallSignal } = call;
    const { model: _model, apiKey: _apiKey, samples: _samples, name: _name, system: _system, maxInputTokens, price, ...settings } = spec;
    const shaping = typeof spec.model === "string" && Object.keys(settings).length > 0 ? settings : undefined;
    return Array.from({ length: samples }, () => ({ label, system: spec.system, limits, getModel, peekModel, explainError, provider, settings: shaping, usesCallSignal, maxInputTokens, price }));
  });
  const counts = new Map<string, number>();
  for (const { label } of expanded) counts.set(label, (counts.get(label) ?? 0) + 1);
  const seen = new Map<string, number>();
  const slots = expanded.map(({ label, system, provider, settings, usesCallSignal, maxInputTokens, price, ...calls }, index) => {
    const k = (seen.get(label) ?? 0) + 1;
    seen.set(label, k);
    const id = (counts.get(label) ?? 0) > 1 ? `${label}#${k}` : label;
    return { id, label, index, ...calls, ...(system === undefined ? {} : { system }), ...(provider === undefined ? {} : { provider }), ...(settings === undefined ? {} : { settings }), ...(usesCallSignal ? { usesCallSignal } : {}), ...(maxInputTokens === undefined ? {} : { maxInputTokens }), ...(price === undefined ? {} : { price }) };
  });
  return { slots, apiKeys };
}

/** A model's display name: the model string, or an instance's `model` / `modelName`, else its class name. */
export function labelOf(model: BaseChatModel | string): string {
  if (typeof model === "string") return model.trim();
  const name = (model as { model?: unknown }).model ?? (model as { modelName?: unknown }).modelName;
  return typeof name === "string" && name !== "" ? name : model.getName();
}

function callable(spec: ModelSpec, option: string, label: string): Pick<ModelSlot, "getModel" | "peekModel" | "explainError" | "provider" | "usesCallSignal"> {
  const { model } = spec;
  if (typeof model !== "string") {
    return { getModel: () => Promise.resolve(model), peekModel: () => model, explainError: (error) => explainCallError(error, { model: label }) };
  }
  const { provider, model: name } = parseModelString(model, option);
  const unsupported = unsupportedSettings(provider, spec);
  if (unsupported.length > 0) throw new MoAConfigError(`${option}.${unsupported[0]}`, `the ${provider} client has no such setting; remove it (settings every provider takes: temperature, maxTokens, topP, stop)`);
  if (provider === LOCAL_PROVIDER) {
    const local = localModel(spec, name, option);
    return { provider, getModel: local.get, peekModel: local.peek, explainError: (error) => explainCallError(error, { model: label, modelName: name, provider }) };
  }
  const connection = resolveConnection(provider, spec);
  const lazy = lazyModel({ label: model.trim(), provider, name, connection, option });
  return {
    provider,
    ...(connection.fields.fetch === signalAwareFetch ? { usesCallSignal: true as const } : {}),
    getModel: lazy.get,
    peekModel: lazy.peek,
    explainError: (error) => explainCallError(error, { model: label, modelName: name, provider, connection }),
  };
}
