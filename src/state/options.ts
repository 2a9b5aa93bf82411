import type { BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { MoAConfigError } from "../errors.js";
import { ConcurrencyLimit, sharedConcurrencyLimit } from "../models/concurrency-limit.js";
import type { ModelInput } from "../models/model-spec.js";
import { toModelSlots, type LimitsFor, type ModelSlot } from "../models/model-slots.js";
import { redactSecrets } from "../models/redact-secrets.js";
import { DEFAULT_RETRY, type RetryOptions, type RetryPolicy } from "../models/retry.js";
import { DEFAULT_AGGREGATOR_PROMPT } from "../prompts/aggregator-prompt.js";
import type { Similarity } from "../agreement/similarity.js";
import { formatReferences, type ReferenceFormatter } from "../prompts/format-references.js";
import type { ReferencePlacement } from "../prompts/place-references.js";
import { toToolBinding } from "../models/tool-binding.js";
import type { AnswerFormat } from "./answer-format.js";
import { parseOptions } from "./options-schema.js";

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

/**
 * Limits on model calls in flight. `perProvider` and `perModel` are process-wide, shared by every MoA
 * and every turn in the process; `total` belongs to this MoA alone.
 */
export interface ConcurrencyOptions {
  /** Per provider of `"provider:model"` strings: one number for every provider, or per provider name. */
  perProvider?: number | Record<string, number>;
  /** Per model, keyed by its display name (the model string, or the spec's `name`). */
  perModel?: Record<string, number>;
  /** Model calls of this MoA in flight at once, over all its turns (the chat model's `maxConcurrency`). */
  total?: number;
}

/** When a turn stops early (see {@link MixtureOfAgentsOptions.earlyExit}). */
export interface EarlyExitOptions {
  /** The least similarity every pair of a layer's proposals must have to agree, 0..1. */
  threshold?: number;
  /** Answer with the agreed proposal instead of calling the aggregator. Default false. */
  skipAggregator?: boolean;
}

/** Options of a Mixture-of-Agents. */
export interface MixtureOfAgentsOptions {
  /** The proposer models; each answers every layer (several times with `samples`). At least one. */
  proposers: readonly ModelInput[];
  /**
   * The model that writes the final answer, or a list tried in order (fallbacks). Required, unless
   * `aggregation` is `"vote"`.
   */
  aggregator?: ModelInput | readonly ModelInput[];
  /**
   * How the answer is made from the last layer's proposals: `"aggregator"` (the MoA paper: the aggregator
   * model writes it) or `"vote"` (no aggregator call: the proposal most similar to the others wins, by
   * `similarity`, ties going to the earliest proposer; "More Agents Is All You Need", Li et al. 2024).
   * Default `"aggregator"`.
   */
  aggregation?: "aggregator" | "vote";
  /**
   * Stop when a layer's proposals agree: the remaining layers are skipped and the aggregator answers
   * from that layer (with `skipAggregator`, the agreed proposal is the answer and no aggregator is
   * called). Proposals agree when every pair is at least `threshold` alike by `similarity` (default 1
   * for `"normalized_text"`, else 0.9). `true` takes the defaults. Default: off.
   */
  earlyExit?: boolean | EarlyExitOptions;
  /** How proposals are compared for `earlyExit` and `aggregation: "vote"`. Default `"normalized_text"`. */
  similarity?: Similarity;
  /** Number of proposer layers, >= 1. Default 1 (or `rounds + 1`). */
  layers?: number;
  /** The reference implementation's name: `layers - 1`, >= 0. Give `layers` or `rounds`, not both differently. */
  rounds?: number;
  /** The instruction injected with the references. Default {@link DEFAULT_AGGREGATOR_PROMPT}. */
  aggregatorPrompt?: string;
  /** Formats the instruction and references into the text a call gets. Default {@link formatReferences}. */
  formatReferences?: ReferenceFormatter;
  /**
   * Where that text goes: `"last_message"`, after the conversation, so that every call of a turn and of
   * the next turns shares the conversation as its prefix and providers' prompt caches serve it; or
   * `"system_message"`, appended to the system message as in the MoA paper's implementation. Default
   * `"last_message"` (see {@link ReferencePlacement}).
   */
  referencePlacement?: ReferencePlacement;
  /**
   * How references that do not fit a model's input limit (`maxInputTokens`, or its LangChain profile)
   * are fitted: `"shorten"` cuts each in proportion, with a visible marker; `"windows"` has the
   * aggregator read them a window at a time, carrying its answer forward (Self-MoA-Seq), and shortens
   * only for proposers of later layers and a reference too long for a window alone. Default `"shorten"`.
   */
  referenceFit?: "shorten" | "windows";
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
  /**
   * Tools the aggregator may call, as for LangChain's `bindTools` (tools, `{ name, description, schema }`
   * or a provider's tool definitions): the answer then carries the aggregator's tool calls. The
   * proposers advise in text.
   */
  tools?: readonly BindToolsInput[];
  /**
   * Which tool the aggregator must call, as `bindTools`' `tool_choice`: a tool's name, `"auto"`, `"any"`,
   * `"none"`, `"required"` or a provider's tool-choice object.
   */
  toolChoice?: ToolChoice;
  /** Whether the aggregator may call several tools in one answer, as `bindTools`' `parallel_tool_calls`. */
  parallelToolCalls?: boolean;
  /**
   * When the proposers run in an agent loop: `"user_turn"`, on a new user message only (when the
   * conversation ends with tool results, the aggregator continues alone from the references of the
   * step that called the tools); `"every_call"`, on every call, tool results included. Default `"user_turn"`.
   */
  proposeOn?: "user_turn" | "every_call";
}

/** Options after validation, with defaults applied and models expanded into slots. */
export interface ResolvedMoAOptions {
  readonly proposers: readonly ModelSlot[];
  readonly aggregators: readonly ModelSlot[];
  readonly layers: number;
  readonly instruction: string;
  readonly format: ReferenceFormatter;
  readonly referencePlacement: ReferencePlacement;
  readonly referenceFit: "shorten" | "windows";
  readonly aggregation: "aggregator" | "vote";
  /** Set when turns stop early on agreement. */
  readonly earlyExit?: { readonly threshold: number; readonly skipAggregator: boolean };
  readonly similarity: Similarity;
  readonly minProposals: number;
  readonly timeouts: Readonly<TimeoutOptions>;
  readonly quorum?: Readonly<QuorumOptions>;
  readonly retry: RetryPolicy;
  /** When the proposers run in an agent loop. */
  readonly proposeOn: "user_turn" | "every_call";
  /** The tools of the options, bound to the aggregator of every turn (a caller's own format replaces it). */
  readonly answerFormat?: AnswerFormat;
  /** Masks API keys (the specs' and the environment's) in text bound for errors, traces and logs. */
  readonly redact: (text: string) => string;
  /** True when some model has a price: the trace then names the calls that answered without a cost (`costMissing`). */
  readonly priced: boolean;
}

/**
 * Validates `options` (which may come from untyped JavaScript) with {@link parseOptions}, then applies the
 * defaults and expands the models into slots. Throws a `MoAConfigError` naming the option that is wrong.
 */
export function resolveOptions(input: MixtureOfAgentsOptions): ResolvedMoAOptions {
  const options = parseOptions(input);
  const limitsFor = concurrencyLimits(options.concurrency);
  const { slots: proposers, apiKeys: proposerKeys } = toModelSlots(options.proposers, "proposers", limitsFor);
  const { slots: aggregators, apiKeys: aggregatorKeys } = options.aggregator === undefined ? { slots: [], apiKeys: [] } : toModelSlots(options.aggregator, "aggregator", limitsFor);
  const similarity = options.similarity ?? "normalized_text";
  const apiKeys = [...proposerKeys, ...aggregatorKeys];
  const { quorum } = options;
  return {
    proposers,
    aggregators,
    layers: options.layers ?? (options.rounds === undefined ? 1 : options.rounds + 1),
    instruction: options.aggregatorPrompt ?? DEFAULT_AGGREGATOR_PROMPT,
    format: options.formatReferences ?? formatReferences,
    referencePlacement: options.referencePlacement ?? "last_message",
    referenceFit: options.referenceFit ?? "shorten",
    aggregation: options.aggregation ?? "aggregator",
    ...resolveEarlyExit(options.earlyExit, similarity),
    similarity,
    minProposals: options.minProposals ?? 1,
    timeouts: options.timeouts ?? {},
    ...(quorum ? { quorum: { min: quorum.min, graceMs: quorum.graceMs } } : {}),
    retry: resolveRetry(options.retry),
    proposeOn: options.proposeOn ?? "user_turn",
    ...resolveTools(options),
    redact: (text) => redactSecrets(text, apiKeys),
    priced: [...proposers, ...aggregators].some((slot) => slot.price !== undefined),
  };
}

function resolveEarlyExit(earlyExit: boolean | EarlyExitOptions | undefined, similarity: Similarity): Pick<ResolvedMoAOptions, "earlyExit"> {
  if (earlyExit === undefined || earlyExit === false) return {};
  const given = earlyExit === true ? {} : earlyExit;
  return { earlyExit: { threshold: given.threshold ?? (similarity === "normalized_text" ? 1 : 0.9), skipAggregator: given.skipAggregator ?? false } };
}

function resolveRetry(retry: RetryOptions | false | undefined): RetryPolicy {
  if (retry === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  // `{ maxRetries: undefined }` keeps the default rather than erasing it.
  const given = Object.entries(retry ?? {}).filter(([, value]) => value !== undefined);
  return { ...DEFAULT_RETRY, ...Object.fromEntries(given) };
}

function resolveTools({ tools, toolChoice, parallelToolCalls }: MixtureOfAgentsOptions): Pick<ResolvedMoAOptions, "answerFormat"> {
  if (tools === undefined) {
    if (toolChoice !== undefined) throw new MoAConfigError("toolChoice", "applies to tools; give tools too");
    if (parallelToolCalls !== undefined) throw new MoAConfigError("parallelToolCalls", "applies to tools; give tools too");
    return {};
  }
  const kwargs = {
    ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
    ...(parallelToolCalls !== undefined ? { parallel_tool_calls: parallelToolCalls } : {}),
  };
  return { answerFormat: { tools: toToolBinding(tools, kwargs) } };
}

function concurrencyLimits(concurrency: ConcurrencyOptions | undefined): LimitsFor {
  const { perProvider, perModel, total } = concurrency ?? {};
  // One limit for every call of this MoA, unlike the named limits that the whole process shares.
  const own = total === undefined ? undefined : new ConcurrencyLimit("moa:total", total);
  return (provider, label) => {
    const limits: ConcurrencyLimit[] = own ? [own] : [];
    const providerLimit = typeof perProvider === "number" ? perProvider : provider ? perProvider?.[provider] : undefined;
    if (provider && providerLimit !== undefined) limits.push(sharedConcurrencyLimit(`provider:${provider}`, providerLimit));
    const modelLimit = perModel?.[label];
    if (modelLimit !== undefined) limits.push(sharedConcurrencyLimit(`model:${label}`, modelLimit));
    return limits;
  };
}
