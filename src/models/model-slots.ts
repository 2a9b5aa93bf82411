import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { initChatModel } from "langchain/chat_models/universal";
import { MoAConfigError, describeError } from "../errors.js";
import type { ModelInput, ModelSpec } from "./model-spec.js";
import { parseModelString } from "./parse-model-string.js";
import { toProviderParams } from "./provider-params.js";

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
}

const SPEC_KEYS: ReadonlySet<string> = new Set([
  "model", "samples", "temperature", "maxTokens", "system", "name", "params",
] satisfies Array<keyof ModelSpec>);

/**
 * Validates model inputs and expands them into slots (one per sample), in the order given.
 * `option` names the option in errors, e.g. `proposers`.
 */
export function toModelSlots(inputs: readonly ModelInput[], option: string): ModelSlot[] {
  const expanded = inputs.flatMap((input, i) => {
    const spec = toSpec(input, `${option}[${i}]`);
    const samples = spec.samples ?? 1;
    const label = spec.name ?? labelOf(spec.model);
    const getModel = modelGetter(spec, `${option}[${i}]`);
    return Array.from({ length: samples }, () => ({ label, system: spec.system, getModel }));
  });
  const counts = new Map<string, number>();
  for (const { label } of expanded) counts.set(label, (counts.get(label) ?? 0) + 1);
  const seen = new Map<string, number>();
  return expanded.map(({ label, system, getModel }, index) => {
    const k = (seen.get(label) ?? 0) + 1;
    seen.set(label, k);
    const id = (counts.get(label) ?? 0) > 1 ? `${label}#${k}` : label;
    return { id, label, index, getModel, ...(system === undefined ? {} : { system }) };
  });
}

function isChatModel(value: unknown): value is BaseChatModel {
  return typeof value === "object" && value !== null && typeof (value as BaseChatModel).invoke === "function";
}

function toSpec(input: unknown, option: string): ModelSpec {
  if (typeof input === "string" || isChatModel(input)) return { model: input };
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new MoAConfigError(option, `expected a chat model, a "provider:model" string or { model, ... }; got ${kindOf(input)}`);
  }
  const spec = input as Record<string, unknown>;
  const unknownKeys = Object.keys(spec).filter((key) => !SPEC_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new MoAConfigError(option, `unknown field(s) ${unknownKeys.join(", ")}; valid fields: ${[...SPEC_KEYS].join(", ")} (provider-specific fields go in params)`);
  }
  if (typeof spec.model !== "string" && !isChatModel(spec.model)) {
    throw new MoAConfigError(`${option}.model`, `expected a chat model or a "provider:model" string; got ${kindOf(spec.model)}`);
  }
  checkNumber(spec.samples, `${option}.samples`, { integer: true, min: 1 });
  checkNumber(spec.temperature, `${option}.temperature`, { min: 0 });
  checkNumber(spec.maxTokens, `${option}.maxTokens`, { integer: true, min: 1 });
  for (const key of ["system", "name"] as const) {
    if (spec[key] !== undefined && (typeof spec[key] !== "string" || spec[key] === "")) {
      throw new MoAConfigError(`${option}.${key}`, `expected a non-empty string; got ${kindOf(spec[key])}`);
    }
  }
  if (spec.params !== undefined && (typeof spec.params !== "object" || spec.params === null || Array.isArray(spec.params))) {
    throw new MoAConfigError(`${option}.params`, `expected an object of constructor fields; got ${kindOf(spec.params)}`);
  }
  if (isChatModel(spec.model)) {
    const stringOnly = (["temperature", "maxTokens", "params"] as const).filter((key) => spec[key] !== undefined);
    if (stringOnly.length > 0) {
      throw new MoAConfigError(`${option}.${stringOnly[0]}`, `applies to "provider:model" strings only; set it on the model instance instead`);
    }
  }
  return spec as unknown as ModelSpec;
}

/** Checks an optional number option; throws a {@link MoAConfigError} naming `option` when it is wrong. */
export function checkNumber(value: unknown, option: string, rule: { integer?: boolean; min: number }): void {
  if (value === undefined) return;
  const valid = typeof value === "number" && Number.isFinite(value) && value >= rule.min && (!rule.integer || Number.isInteger(value));
  if (!valid) {
    throw new MoAConfigError(option, `expected ${rule.integer ? "an integer" : "a number"} >= ${rule.min}; got ${kindOf(value)}`);
  }
}

/** Describes a value for an error message without dumping it. */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "object" ? "an object" : typeof value;
}

function labelOf(model: BaseChatModel | string): string {
  if (typeof model === "string") return model.trim();
  const name = (model as { model?: unknown }).model ?? (model as { modelName?: unknown }).modelName;
  return typeof name === "string" && name !== "" ? name : model.getName();
}

function modelGetter(spec: ModelSpec, option: string): () => Promise<BaseChatModel> {
  const { model } = spec;
  if (typeof model !== "string") return () => Promise.resolve(model);
  const { provider, model: name } = parseModelString(model, option);
  const fields = { modelProvider: provider, ...toProviderParams(provider, spec), ...spec.params };
  let pending: Promise<BaseChatModel> | undefined;
  return () => {
    pending ??= createModel(name, fields, model).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

async function createModel(name: string, fields: Record<string, unknown>, label: string): Promise<BaseChatModel> {
  try {
    const configurable = await initChatModel(name, fields);
    return await configurable._getModelInstance();
  } catch (error) {
    throw new MoAConfigError(`model "${label}"`, `could not be created: ${describeError(error)}`, { cause: error });
  }
}
