import { modelInputSchema, parseWith } from "../state/options-schema.js";
import type { ModelSpec } from "./model-spec.js";

export { isChatModel } from "../state/options-schema.js";

/**
 * Checks one model input (which may come from untyped JavaScript) with the options' model schema and
 * returns it as a {@link ModelSpec}. Throws a `MoAConfigError` naming `option` (e.g. `proposers[2]`,
 * `proposers[2].samples`) and what is valid.
 */
export function validateSpec(input: unknown, option: string): ModelSpec {
  return parseWith(modelInputSchema, input, option);
}
