/**
 * What a report says about the mixture it evaluated (its models, their settings and its layers), so that
 * two reports can be told apart later. Only settings are named, never an API key, a header or `params`
 * (which may hold keys), and a server's URL without its credentials or query.
 */
import type { MixtureOfAgentsOptions, ModelInput, ModelPrice } from "../src/index.js";
import { labelOf } from "../src/models/model-slots.js";
import { isChatModel } from "../src/models/validate-spec.js";

/** One model of the mixture as the report names it. */
export interface ModelDescription {
  /** The name shown elsewhere in the report: the spec's `name`, the model string, or the instance's name. */
  readonly label: string;
  /** The `"provider:model"` string, when the label is a custom name. */
  readonly model?: string;
  /** Answers per layer, when more than one (Self-MoA). */
  readonly samples?: number;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** The server, when the spec names one. */
  readonly baseURL?: string;
  /** The prices per million tokens the config gives the model, when it gives them (new answers are costed at them). */
  readonly price?: ModelPrice;
}

/** The mixture of a report. */
export interface MixtureDescription {
  readonly proposers: readonly ModelDescription[];
  /** The aggregators in the order they are tried (the first one writes the answer unless it fails). */
  readonly aggregator: readonly ModelDescription[];
  readonly layers: number;
  /** Successful proposals a layer needs (the library's default is 1). */
  readonly minProposals: number;
}

/** Describes the MoA of `options`. */
export function describeMixture(options: MixtureOfAgentsOptions): MixtureDescription {
  const given = options.aggregator;
  const aggregators: readonly ModelInput[] = given === undefined ? [] : Array.isArray(given) ? given : [given as ModelInput];
  return {
    proposers: options.proposers.map(describeModel),
    aggregator: aggregators.map(describeModel),
    layers: options.layers ?? (options.rounds ?? 0) + 1,
    minProposals: options.minProposals ?? 1,
  };
}

/** One line, e.g. `openai:gpt-4o-mini ×3 (temperature 0.7), ollama:llama3.1 at http://gpu:11434`. */
export function modelsLine(models: readonly ModelDescription[]): string {
  return models.map((model) => {
    const settings = [
      ...(model.model !== undefined ? [model.model] : []),
      ...(model.temperature !== undefined ? [`temperature ${model.temperature}`] : []),
      ...(model.maxTokens !== undefined ? [`max ${model.maxTokens} tokens`] : []),
    ];
    return `${model.label}${model.samples !== undefined ? ` ×${model.samples}` : ""}${settings.length > 0 ? ` (${settings.join(", ")})` : ""}${model.baseURL !== undefined ? ` at ${model.baseURL}` : ""}`;
  }).join(", ");
}

function describeModel(input: ModelInput): ModelDescription {
  if (typeof input === "string") return { label: input.trim() };
  if (isChatModel(input)) return { label: labelOf(input) };
  const model = typeof input.model === "string" ? input.model.trim() : labelOf(input.model);
  const baseURL = input.baseURL ?? input.baseUrl;
  return {
    label: input.name ?? model,
    ...(input.name !== undefined && input.name !== model ? { model } : {}),
    ...(input.samples !== undefined && input.samples > 1 ? { samples: input.samples } : {}),
    ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
    ...(input.maxTokens !== undefined ? { maxTokens: input.maxTokens } : {}),
    ...(baseURL !== undefined ? { baseURL: withoutCredentials(baseURL) } : {}),
    ...(input.price !== undefined ? { price: input.price } : {}),
  };
}


/** `url` without user, password and query, which may carry a key. */
function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString().replace(/\/$/, "");
  } catch {
    return "(not a URL)";
  }
}
