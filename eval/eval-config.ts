/**
 * The `--config moa.json` of the evaluation: the MoA's options as JSON (the same file the conversation
 * example takes), plus an optional `judge`.
 */
import type { MixtureOfAgentsOptions, ModelInput } from "../src/index.js";
import { resolveOptions } from "../src/state/options.js";
import { validateSpec } from "../src/models/validate-spec.js";
import { readJsonObject } from "../tools/read-json-object.js";
import { UsageError } from "../tools/usage-error.js";
import { asUsageError } from "./as-usage-error.js";

/** A config file's contents: the MoA options and the judge it names, if any. */
export interface EvalConfig {
  readonly moa: MixtureOfAgentsOptions;
  readonly judge?: ModelInput;
}

/** Keys of the conversation example's config that mean nothing to an evaluation and are ignored. */
const CONVERSATION_KEYS = ["system", "showInternal", "db"];

/**
 * Reads `path` and checks the MoA options as the library would (so a bad option is reported before any
 * model is asked). Throws an {@link UsageError} that names the file and the option.
 */
export function readEvalConfig(path: string): EvalConfig {
  const { judge, checkpointer, ...rest } = readJsonObject(path, '{ "proposers": ["ollama:llama3.1", "ollama:qwen2.5"], "aggregator": "ollama:llama3.1" }');
  if (checkpointer !== undefined) throw new UsageError(`In ${path}: "checkpointer" cannot be given to an evaluation; remove it`);
  for (const key of CONVERSATION_KEYS) delete rest[key];
  const moa = rest as unknown as MixtureOfAgentsOptions;
  asUsageError(() => resolveOptions(moa), `In ${path}: `);
  if (judge !== undefined) asUsageError(() => validateSpec(judge, "judge"), `In ${path}: `);
  return { moa, ...(judge !== undefined ? { judge: judge as ModelInput } : {}) };
}
