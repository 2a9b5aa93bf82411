/**
 * The `--config moa.json` of the evaluation: the MoA's options as JSON (the same file the conversation
 * example takes), plus an optional `judge`.
 */
import { MoAConfigError, type MixtureOfAgentsOptions, type ModelInput } from "../src/index.js";
import { resolveOptions } from "../src/graph/options.js";
import { validateSpec } from "../src/models/validate-spec.js";
import { readJsonObject } from "../tools/read-json-object.js";
import { UsageError } from "../tools/usage-error.js";

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
  reportConfigError(path, () => resolveOptions(moa));
  if (judge !== undefined) reportConfigError(path, () => validateSpec(judge, "judge"));
  return { moa, ...(judge !== undefined ? { judge: judge as ModelInput } : {}) };
}

function reportConfigError(path: string, check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (MoAConfigError.isInstance(error)) throw new UsageError(`In ${path}: ${error.message}`);
    throw error;
  }
}
