/**
 * The `--config moa.json` of the evaluation: the MoA's options as JSON (the same file the conversation
 * example takes), plus an optional `judge`.
 */
import { readFileSync } from "node:fs";
import { MoAConfigError, type MixtureOfAgentsOptions, type ModelInput } from "../src/index.js";
import { resolveOptions } from "../src/graph/options.js";
import { validateSpec } from "../src/models/validate-spec.js";
import { EvalUsageError } from "./usage-error.js";

/** A config file's contents: the MoA options and the judge it names, if any. */
export interface EvalConfig {
  readonly moa: MixtureOfAgentsOptions;
  readonly judge?: ModelInput;
}

/** Keys of the conversation example's config that mean nothing to an evaluation and are ignored. */
const CONVERSATION_KEYS = ["system", "showInternal", "db"];

/**
 * Reads `path` and checks the MoA options as the library would (so a bad option is reported before any
 * model is asked). Throws an {@link EvalUsageError} that names the file and the option.
 */
export function readEvalConfig(path: string): EvalConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new EvalUsageError(`Cannot read the config file ${path}: ${reason}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new EvalUsageError(`The config file ${path} must hold a JSON object, e.g. { "proposers": ["ollama:llama3.1", "ollama:qwen2.5"], "aggregator": "ollama:llama3.1" }`);
  }
  const { judge, checkpointer, ...rest } = parsed as Record<string, unknown>;
  if (checkpointer !== undefined) throw new EvalUsageError(`In ${path}: "checkpointer" cannot be given to an evaluation; remove it`);
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
    if (MoAConfigError.isInstance(error)) throw new EvalUsageError(`In ${path}: ${error.message}`);
    throw error;
  }
}
