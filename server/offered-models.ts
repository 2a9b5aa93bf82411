/**
 * The models the served MoA offers a web page to choose from (`GET /moa/models`): the server's defaults
 * and the models `MOA_MODELS` adds. A run may still name any `"provider:model"` the server can reach.
 */
import type { ModelInput } from "../src/index.js";
import { modelList } from "../examples/conversation/cli-args.js";
import type { DefaultModels } from "../examples/conversation/default-models.js";

/** A default proposer or aggregator, as a run would name it. */
export interface OfferedModel {
  /** The `"provider:model"` string. */
  readonly model: string;
  /** Calls per layer (Self-MoA samples), when more than one. */
  readonly samples?: number;
}

/** What `GET /moa/models` answers. */
export interface OfferedModels {
  /** The MoA a run gets when it chooses nothing. */
  readonly defaults: {
    readonly proposers: readonly OfferedModel[];
    readonly aggregator: readonly OfferedModel[];
    /** Proposer layers, >= 1. */
    readonly layers: number;
    /** Where the defaults come from, e.g. `OPENAI_API_KEY` or `MOA_PROPOSERS`. */
    readonly source: string;
  };
  /** Every model a run may choose from the page: the defaults' first, then `MOA_MODELS`', each once. */
  readonly models: readonly string[];
}

/** The default MoA's proposer layers (as for any MoA given no `layers`). */
const DEFAULT_LAYERS = 1;

function offered(input: ModelInput): OfferedModel[] {
  if (typeof input === "string") return [{ model: input }];
  if ("model" in input && typeof input.model === "string") return [{ model: input.model, ...(input.samples && input.samples > 1 ? { samples: input.samples } : {}) }];
  return [];
}

/**
 * The models offered with `defaults`, and those of `env.MOA_PROPOSERS`-style list `env.MOA_MODELS`
 * (comma-separated `"provider:model"` strings).
 * @throws UsageError when MOA_MODELS is set but names no model.
 */
export function offeredModels(defaults: DefaultModels, env: NodeJS.ProcessEnv): OfferedModels {
  const proposers = defaults.proposers.flatMap(offered);
  const aggregator = defaults.aggregator.flatMap(offered);
  const extra = modelList(env.MOA_MODELS, "MOA_MODELS") ?? [];
  const models = [...new Set([...proposers, ...aggregator].map((entry) => entry.model).concat(extra))];
  return { defaults: { proposers, aggregator, layers: DEFAULT_LAYERS, source: defaults.source }, models };
}
