import { modelInputSchema, parseWith } from "../state/options-schema.js";
import { checkConnectionOptions } from "./connection-params.js";
import type { ModelSpec } from "./model-spec.js";

export { isChatModel } from "../state/options-schema.js";

/**
 * Checks one model input (which may come from untyped JavaScript) with the options' model schema and
 * returns it as a {@link ModelSpec}. Throws a `MoAConfigError` naming `option` (e.g. `proposers[2]`,
 * `proposers[2].samples`) and what is valid, or naming both places when a string model's base URL or
 * API key is given twice, differently (`proposers[0].params.configuration.baseURL` and `proposers[0].baseURL`).
 */
export function validateSpec(input: unknown, option: string): ModelSpec {
  const spec = parseWith(modelInputSchema, input, option);
  if (typeof spec.model === "string") checkConnectionOptions(spec, option);
  return spec;
}
