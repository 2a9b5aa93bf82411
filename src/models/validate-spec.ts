import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { MoAConfigError } from "../errors.js";
import { checkNumber, kindOf } from "./check-value.js";
import type { ModelSpec } from "./model-spec.js";

const SPEC_KEYS: ReadonlySet<string> = new Set([
  "model", "samples", "temperature", "maxTokens", "system", "name", "apiKey", "baseURL", "baseUrl", "params",
] satisfies Array<keyof ModelSpec>);

/** Fields that configure a model created from a string; an instance is configured by its creator. */
const STRING_ONLY_KEYS = ["temperature", "maxTokens", "apiKey", "baseURL", "baseUrl", "params"] as const;

/** True for a chat model instance (anything with `invoke`). */
export function isChatModel(value: unknown): value is BaseChatModel {
  return typeof value === "object" && value !== null && typeof (value as BaseChatModel).invoke === "function";
}

/**
 * Checks one model input (which may come from untyped JavaScript) and returns it as a {@link ModelSpec}.
 * Throws a {@link MoAConfigError} naming `option` (e.g. `proposers[2]`) and what is valid.
 */
export function validateSpec(input: unknown, option: string): ModelSpec {
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
  for (const key of ["system", "name", "apiKey", "baseURL", "baseUrl"] as const) {
    if (spec[key] !== undefined && (typeof spec[key] !== "string" || spec[key] === "")) {
      // Never echo a key back: it may be a real one in the wrong place.
      const got = key === "apiKey" ? typeof spec[key] : kindOf(spec[key]);
      throw new MoAConfigError(`${option}.${key}`, `expected a non-empty string; got ${got}`);
    }
  }
  if (spec.baseURL !== undefined && spec.baseUrl !== undefined) {
    throw new MoAConfigError(`${option}.baseUrl`, "give baseURL or baseUrl (the same option), not both");
  }
  if (spec.params !== undefined && (typeof spec.params !== "object" || spec.params === null || Array.isArray(spec.params))) {
    throw new MoAConfigError(`${option}.params`, `expected an object of constructor fields; got ${kindOf(spec.params)}`);
  }
  if (isChatModel(spec.model)) {
    const misplaced = STRING_ONLY_KEYS.find((key) => spec[key] !== undefined);
    if (misplaced !== undefined) {
      throw new MoAConfigError(`${option}.${misplaced}`, `applies to "provider:model" strings only; set it on the model instance instead`);
    }
  }
  return spec as unknown as ModelSpec;
}
