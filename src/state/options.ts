import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { MoAConfigError } from "../errors.js";
import { checkNumber, kindOf } from "../models/check-value.js";
import { sharedConcurrencyLimit, type ConcurrencyLimit } from "../models/concurrency-limit.js";
import type { ModelInput } from "../models/model-spec.js";
import { toModelSlots, type ModelSlot } from "../models/model-slots.js";
import { redactSecrets } from "../models/redact-secrets.js";
import { DEFAULT_RETRY, type RetryOptions, type RetryPolicy } from "../models/retry.js";
import { DEFAULT_AGGREGATOR_PROMPT } from "../prompts/aggregator-prompt.js";
import { formatReferences, type ReferenceFormatter } from "../prompts/format-references.js";

/** Timeouts, in milliseconds. None is set by default. */
export interface TimeoutOptions {
  /** One proposer call (each attempt); a proposer that exceeds it fails and is left out of its layer. */
  proposerMs?: number;
  /** One aggregator call (each attempt); the next fallback aggregator is tried. */
  aggregatorMs?: number;
  /** The whole turn; when exceeded the turn fails with a `MoATimeoutError` (scope `turn`). */
  turnMs?: number;
}

/** Don't wait for the slowest proposers of a layer. */
export interface QuorumOptions {
  /** Once this many proposals of a layer are in... */
  min: number;
  /** ...wait at most this many milliseconds more, then abort the rest (marked `straggler` in the trace). */
  graceMs: number;
}

/** Process-wide limits on calls in flight, shared by every MoA and every turn in the process. */
export interface ConcurrencyOptions {
  /** Per provider of `"provider:model"` strings: one number for every provider, or per provider name. */
  perProvider?: number | Record<string, number>;
  /** Per model, keyed by its display name (the model string, or the spec's `name`). */
  perModel?: Record<string, number>;
}

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
  /** Per-call and whole-turn timeouts. Default: none. */
  timeouts?: TimeoutOptions;
  /** Stop waiting for a layer's stragglers. Default: wait for every proposer. */
  quorum?: QuorumOptions;
  /** Retries of 429, 5xx and dropped connections (the providers' own retries are turned off). Default 2 retries. */
  retry?: RetryOptions | false;
  /** Limits on calls in flight per provider or model, shared process-wide. Default: none. */
  concurrency?: ConcurrencyOptions;
  /** A checkpointer for multi-turn threads (used by `createMixtureOfAgents`). */
  checkpointer?: BaseCheckpointSaver;
  /** The compiled graph's name. Default `mixture_of_agents`. */
  name?: string;
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  "proposers", "aggregator", "layers", "rounds", "aggregatorPrompt", "formatReferences", "minProposals",
  "timeouts", "quorum", "retry", "concurrency", "checkpointer", "name",
] satisfies Array<keyof MixtureOfAgentsOptions>);

/** Options after validation, with defaults applied and models expanded into slots. */
export interface ResolvedMoAOptions {
  readonly proposers: readonly ModelSlot[];
  readonly aggregators: readonly ModelSlot[];
  readonly layers: number;
  readonly instruction: string;
  readonly format: ReferenceFormatter;
  readonly minProposals: number;
  readonly timeouts: Readonly<TimeoutOptions>;
  readonly quorum?: Readonly<QuorumOptions>;
  readonly retry: RetryPolicy;
  /** Masks API keys (the specs' and the environment's) in text bound for errors, traces and logs. */
  readonly redact: (text: string) => string;
}

/** Validates `options` (which may come from untyped JavaScript) and applies the defaults. */
export function resolveOptions(options: MixtureOfAgentsOptions): ResolvedMoAOptions {
  if (typeof options !== "object" || options === null) {
    throw new MoAConfigError("options", `expected an object with proposers and aggregator; got ${kindOf(options)}`);
  }
  checkKeys(options, OPTION_KEYS, "options");
  const { proposers, aggregator } = options;
  if (!Array.isArray(proposers) || proposers.length === 0) {
    throw new MoAConfigError("proposers", `expected a non-empty array of models, e.g. ["openai:gpt-4o-mini", "ollama:llama3.1"]; got ${kindOf(proposers)}`);
  }
  if (aggregator === undefined || (Array.isArray(aggregator) && aggregator.length === 0)) {
    throw new MoAConfigError("aggregator", `expected a model or a non-empty list of models, e.g. "openai:gpt-4o"; got ${kindOf(aggregator)}`);
  }
  const limitsFor = concurrencyLimits(options.concurrency);
  const { slots: proposerSlots, apiKeys: proposerKeys } = toModelSlots(proposers, "proposers", limitsFor);
  const aggregatorInputs = Array.isArray(aggregator) ? aggregator : [aggregator];
  const { slots: aggregators, apiKeys: aggregatorKeys } = toModelSlots(aggregator, "aggregator", limitsFor);
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
  const quorum = resolveQuorum(options.quorum, minProposals, proposerSlots.length);
  return {
    proposers: proposerSlots,
    aggregators,
    layers: resolveLayers(options.layers, options.rounds),
    instruction: options.aggregatorPrompt ?? DEFAULT_AGGREGATOR_PROMPT,
    format: options.formatReferences ?? formatReferences,
    minProposals,
    timeouts: resolveTimeouts(options.timeouts),
    ...(quorum ? { quorum } : {}),
    retry: resolveRetry(options.retry),
    redact: (text) => redactSecrets(text, apiKeys),
  };
}

function checkKeys(value: object, valid: ReadonlySet<string>, option: string): void {
  const unknownKeys = Object.keys(value).filter((key) => !valid.has(key));
  if (unknownKeys.length > 0) {
    throw new MoAConfigError(option, `unknown option(s) ${unknownKeys.join(", ")}; valid options: ${[...valid].join(", ")}`);
  }
}

function checkObject(value: unknown, option: string, valid: readonly string[]): value is Record<string, unknown> {
  if (value === undefined) return false;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new MoAConfigError(option, `expected an object with ${valid.join(", ")}; got ${kindOf(value)}`);
  }
  checkKeys(value, new Set(valid), option);
  return true;
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

function resolveTimeouts(timeouts: unknown): TimeoutOptions {
  if (!checkObject(timeouts, "timeouts", ["proposerMs", "aggregatorMs", "turnMs"])) return {};
  for (const key of ["proposerMs", "aggregatorMs", "turnMs"]) checkNumber(timeouts[key], `timeouts.${key}`, { min: 1 });
  return timeouts as TimeoutOptions;
}

function resolveQuorum(quorum: unknown, minProposals: number, proposers: number): QuorumOptions | undefined {
  if (!checkObject(quorum, "quorum", ["min", "graceMs"])) return undefined;
  checkNumber(quorum.min, "quorum.min", { integer: true, min: 1 });
  checkNumber(quorum.graceMs, "quorum.graceMs", { min: 0 });
  const { min, graceMs } = quorum as Partial<QuorumOptions>;
  if (min === undefined || graceMs === undefined) throw new MoAConfigError("quorum", "expected both min and graceMs, e.g. { min: 2, graceMs: 1000 }");
  if (min < minProposals || min > proposers) {
    throw new MoAConfigError("quorum.min", `${min} is outside ${minProposals}..${proposers} (from minProposals to the proposer calls per layer)`);
  }
  return { min, graceMs };
}

function resolveRetry(retry: unknown): RetryPolicy {
  if (retry === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  if (!checkObject(retry, "retry", ["maxRetries", "initialDelayMs", "maxDelayMs"])) return DEFAULT_RETRY;
  checkNumber(retry.maxRetries, "retry.maxRetries", { integer: true, min: 0 });
  checkNumber(retry.initialDelayMs, "retry.initialDelayMs", { min: 0 });
  checkNumber(retry.maxDelayMs, "retry.maxDelayMs", { min: 0 });
  return { ...DEFAULT_RETRY, ...(retry as RetryOptions) };
}

function concurrencyLimits(concurrency: unknown): (provider: string | undefined, label: string) => ConcurrencyLimit[] {
  if (!checkObject(concurrency, "concurrency", ["perProvider", "perModel"])) return () => [];
  const { perProvider, perModel } = concurrency as ConcurrencyOptions;
  const limitOf = (value: unknown, option: string): number => {
    checkNumber(value, option, { integer: true, min: 1 });
    return value as number;
  };
  if (typeof perProvider === "number") limitOf(perProvider, "concurrency.perProvider");
  else if (checkObject(perProvider, "concurrency.perProvider", Object.keys(perProvider ?? {}))) {
    for (const [name, value] of Object.entries(perProvider)) limitOf(value, `concurrency.perProvider.${name}`);
  }
  if (checkObject(perModel, "concurrency.perModel", Object.keys(perModel ?? {}))) {
    for (const [name, value] of Object.entries(perModel)) limitOf(value, `concurrency.perModel.${name}`);
  }
  return (provider, label) => {
    const limits: ConcurrencyLimit[] = [];
    const providerLimit = typeof perProvider === "number" ? perProvider : provider ? perProvider?.[provider] : undefined;
    if (provider && providerLimit !== undefined) limits.push(sharedConcurrencyLimit(`provider:${provider}`, providerLimit));
    const modelLimit = perModel?.[label];
    if (modelLimit !== undefined) limits.push(sharedConcurrencyLimit(`model:${label}`, modelLimit));
    return limits;
  };
}
