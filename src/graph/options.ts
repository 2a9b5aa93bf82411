import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { MoAConfigError } from "../errors.js";
import type { ModelInput } from "../models/model-spec.js";
import { checkNumber, kindOf } from "../models/check-value.js";
import { toModelSlots, type ModelSlot } from "../models/model-slots.js";
import { redactSecrets } from "../models/redact-secrets.js";
import { DEFAULT_AGGREGATOR_PROMPT } from "../prompts/aggregator-prompt.js";
import { formatReferences, type ReferenceFormatter } from "../prompts/format-references.js";

/** Options of a Mixture-of-Agents. */
export interface MixtureOfAgentsOptions {
  /** The proposer models; each answers every layer (several times with `samples`). At least one. */
  proposers: readonly ModelInput[];
  /** The model that writes the final answer, or a list tried in order (fallbacks). */
  aggregator: ModelInput | readonly ModelInput[];
  /** Number of proposer layers, >= 1. Default 1 (or `rounds + 1`). */
  layers?: number;
  /** The reference implementation's name: `layers - 1`, >= 0. Give `layers` or `rounds`, not both differently. */
  rounds?: number;
  /** The instruction injected with the references. Default {@link DEFAULT_AGGREGATOR_PROMPT}. */
  aggregatorPrompt?: string;
  /** Formats the instruction and references into the system text. Default {@link formatReferences}. */
  formatReferences?: ReferenceFormatter;
  /** Fewest successful proposals a layer needs to go on. Default 1. */
  minProposals?: number;
  /** A checkpointer for multi-turn threads (used by `createMixtureOfAgents`). */
  checkpointer?: BaseCheckpointSaver;
  /** The compiled graph's name. Default `mixture_of_agents`. */
  name?: string;
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  "proposers", "aggregator", "layers", "rounds", "aggregatorPrompt", "formatReferences", "minProposals", "checkpointer", "name",
] satisfies Array<keyof MixtureOfAgentsOptions>);

/** Options after validation, with defaults applied and models expanded into slots. */
export interface ResolvedMoAOptions {
  readonly proposers: readonly ModelSlot[];
  readonly aggregators: readonly ModelSlot[];
  readonly layers: number;
  readonly instruction: string;
  readonly format: ReferenceFormatter;
  readonly minProposals: number;
  /** Masks API keys (the specs' and the environment's) in text bound for errors, traces and logs. */
  readonly redact: (text: string) => string;
}

/** Validates `options` (which may come from untyped JavaScript) and applies the defaults. */
export function resolveOptions(options: MixtureOfAgentsOptions): ResolvedMoAOptions {
  if (typeof options !== "object" || options === null) {
    throw new MoAConfigError("options", `expected an object with proposers and aggregator; got ${kindOf(options)}`);
  }
  const unknownKeys = Object.keys(options).filter((key) => !OPTION_KEYS.has(key));
  if (unknownKeys.length > 0) {
    throw new MoAConfigError("options", `unknown option(s) ${unknownKeys.join(", ")}; valid options: ${[...OPTION_KEYS].join(", ")}`);
  }
  const { proposers, aggregator } = options;
  if (!Array.isArray(proposers) || proposers.length === 0) {
    throw new MoAConfigError("proposers", `expected a non-empty array of models, e.g. ["openai:gpt-4o-mini", "ollama:llama3.1"]; got ${kindOf(proposers)}`);
  }
  if (aggregator === undefined || (Array.isArray(aggregator) && aggregator.length === 0)) {
    throw new MoAConfigError("aggregator", `expected a model or a non-empty list of models, e.g. "openai:gpt-4o"; got ${kindOf(aggregator)}`);
  }
  const { slots: proposerSlots, apiKeys: proposerKeys } = toModelSlots(proposers, "proposers");
  const aggregatorInputs = Array.isArray(aggregator) ? aggregator : [aggregator];
  const { slots: aggregators, apiKeys: aggregatorKeys } = toModelSlots(aggregatorInputs as ModelInput[], "aggregator");
  const apiKeys = [...proposerKeys, ...aggregatorKeys];
  if (aggregators.length !== aggregatorInputs.length) {
    throw new MoAConfigError("aggregator.samples", "the aggregator writes one answer; samples applies to proposers only");
  }
  const minProposals = options.minProposals ?? 1;
  checkNumber(minProposals, "minProposals", { integer: true, min: 1 });
  if (minProposals > proposerSlots.length) {
    throw new MoAConfigError("minProposals", `${minProposals} exceeds the ${proposerSlots.length} proposer call(s) per layer; expected 1..${proposerSlots.length}`);
  }
  if (options.aggregatorPrompt !== undefined && typeof options.aggregatorPrompt !== "string") {
    throw new MoAConfigError("aggregatorPrompt", `expected a string; got ${kindOf(options.aggregatorPrompt)}`);
  }
  if (options.formatReferences !== undefined && typeof options.formatReferences !== "function") {
    throw new MoAConfigError("formatReferences", `expected a function ({ instruction, references, target }) => string; got ${kindOf(options.formatReferences)}`);
  }
  return {
    proposers: proposerSlots,
    aggregators,
    layers: resolveLayers(options.layers, options.rounds),
    instruction: options.aggregatorPrompt ?? DEFAULT_AGGREGATOR_PROMPT,
    format: options.formatReferences ?? formatReferences,
    minProposals,
    redact: (text) => redactSecrets(text, apiKeys),
  };
}

function resolveLayers(layers: unknown, rounds: unknown): number {
  checkNumber(layers, "layers", { integer: true, min: 1 });
  checkNumber(rounds, "rounds", { integer: true, min: 0 });
  const fromRounds = typeof rounds === "number" ? rounds + 1 : undefined;
  if (typeof layers === "number" && fromRounds !== undefined && layers !== fromRounds) {
    throw new MoAConfigError("rounds", `rounds ${String(rounds)} means ${fromRounds} layers, but layers is ${layers}; give one of them (rounds = layers - 1)`);
  }
  return (layers as number | undefined) ?? fromRounds ?? 1;
}
