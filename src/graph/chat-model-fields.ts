import type { BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { MoAConfigError } from "../errors.js";
import type { ModelInput, ModelSpec } from "../models/model-spec.js";
import { parseModelString } from "../models/parse-model-string.js";
import { isChatModel } from "../state/options-schema.js";
import type { MixtureOfAgentsOptions } from "../state/options.js";
import type { ProposalEvent } from "../nodes/proposal-event.js";

/** What to do with each proposal as it finishes: print it (`true`), or hand it to a function. */
export type ShowInternal = boolean | ((proposal: ProposalEvent) => void);

/**
 * Fields of the {@link MixtureOfAgents} chat model: the MoA options (without `checkpointer`: a chat model
 * is given the whole conversation on every call), the reference implementation's names as aliases, and
 * LangChain's standard chat-model fields with these meanings:
 *
 * | field | meaning for a mixture |
 * |---|---|
 * | `temperature`, `maxTokens` | defaults for every model given as a `"provider:model"` string (a spec's own value wins); refused when every model is an instance |
 * | `apiKey` | the key of every model given as a string, when they all use one provider; refused otherwise |
 * | `stopSequences` | stop sequences of the answer (the aggregator's `stop`); call-time `stop` replaces them |
 * | `timeout` | the whole turn, in ms (`timeouts.turnMs`); call-time `timeout` aborts the call |
 * | `maxRetries` | retries of each model call (`retry.maxRetries`) |
 * | `maxConcurrency` | model calls of this mixture in flight at once, over all its turns (`concurrency.total`) |
 * | `streaming` | `invoke` streams the answer and reports its tokens to the callbacks |
 * | `disableStreaming`, `cache`, `callbacks`, `tags`, `metadata`, `verbose`, `outputVersion` | as for any LangChain chat model, applied to the mixture's own run |
 *
 * `callbackManager` (deprecated in LangChain) and `onFailedAttempt` are not accepted: use `callbacks`,
 * and the `retry` option (each failed attempt is in the trace).
 */
export interface MixtureOfAgentsFields
  extends Omit<BaseChatModelParams, "callbackManager" | "onFailedAttempt">, Partial<Omit<MixtureOfAgentsOptions, "checkpointer">> {
  /** Alias of `aggregator`. */
  mainModel?: ModelInput | readonly ModelInput[];
  /** Alias of `proposers`. */
  referenceModels?: readonly ModelInput[];
  /** Print each proposal with its layer and model (`true`), or pass it to a function. Default `false`. */
  showInternal?: ShowInternal;
  /** Sampling temperature of every model given as a string that sets none. */
  temperature?: number;
  /** Most tokens each model given as a string may generate (mapped to each provider's own option), when its spec sets none. */
  maxTokens?: number;
  /** The API key of every model given as a string, when they all use the same provider. */
  apiKey?: string;
  /** Stop sequences of the answer (the aggregator stops at them); call-time `stop` replaces them. */
  stopSequences?: string[];
  /** Timeout of a whole turn in milliseconds: a turn that takes longer fails with a `MoATimeoutError`. */
  timeout?: number;
  /** `invoke` streams the answer and reports its tokens to the callbacks. Default `false`. */
  streaming?: boolean;
}

/** The chat model's own settings, next to the MoA options they are turned into. */
export interface ChatModelSettings {
  readonly options: MixtureOfAgentsOptions;
  readonly stopSequences?: readonly string[];
  readonly streaming: boolean;
  readonly temperature?: number;
  readonly maxTokens?: number;
}

/**
 * Turns the chat model's fields into MoA options and its own settings, applying the standard fields
 * as documented on {@link MixtureOfAgentsFields} (their types are checked before, by the fields schema).
 * Throws a {@link MoAConfigError} for a field that cannot be honoured, or that contradicts the MoA
 * option it maps to.
 */
export function toChatModelSettings(fields: MixtureOfAgentsFields): ChatModelSettings {
  const {
    mainModel, referenceModels, aggregator, proposers, showInternal: _showInternal,
    callbacks: _callbacks, tags: _tags, metadata: _metadata, verbose: _verbose, cache: _cache, disableStreaming, outputVersion: _outputVersion,
    temperature, maxTokens, apiKey, stopSequences, timeout, streaming, maxRetries, maxConcurrency,
    ...options
  } = fields;
  if (streaming === true && disableStreaming === true) throw new MoAConfigError("streaming", "streaming and disableStreaming contradict each other; give one of them");
  if (mainModel !== undefined && aggregator !== undefined) throw new MoAConfigError("mainModel", "give mainModel or its alias aggregator, not both");
  if (referenceModels !== undefined && proposers !== undefined) throw new MoAConfigError("referenceModels", "give referenceModels or its alias proposers, not both");
  const defaults = { temperature, maxTokens, apiKey };
  const allModels = [...toList(proposers ?? referenceModels), ...toList(aggregator ?? mainModel)];
  checkStringDefaults(allModels, defaults);
  return {
    options: {
      ...options,
      proposers: mapModels(proposers ?? referenceModels, (input) => withStringDefaults(input, defaults)) as MixtureOfAgentsOptions["proposers"],
      aggregator: mapModels(aggregator ?? mainModel, (input) => withStringDefaults(input, defaults)) as MixtureOfAgentsOptions["aggregator"],
      ...mergeTimeout(options.timeouts, timeout),
      ...mergeRetries(options.retry, maxRetries),
      ...(maxConcurrency !== undefined ? { concurrency: { ...options.concurrency, total: maxConcurrency } } : {}),
    },
    ...(stopSequences !== undefined ? { stopSequences } : {}),
    streaming: streaming ?? false,
    ...(temperature !== undefined ? { temperature } : {}),
    ...(maxTokens !== undefined ? { maxTokens } : {}),
  };
}

interface StringDefaults {
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly apiKey?: string;
}

function toList(models: ModelInput | readonly ModelInput[] | undefined): ModelInput[] {
  if (models === undefined) return [];
  return Array.isArray(models) ? [...(models as ModelInput[])] : [models as ModelInput];
}

function mapModels(models: ModelInput | readonly ModelInput[] | undefined, map: (input: ModelInput) => ModelInput): ModelInput | ModelInput[] | undefined {
  if (models === undefined) return undefined;
  return Array.isArray(models) ? (models as ModelInput[]).map(map) : map(models as ModelInput);
}

/** The model string of an input given as a string or a spec with a string, else undefined (an instance). */
function modelString(input: ModelInput): string | undefined {
  if (typeof input === "string") return input;
  if (typeof input !== "object" || input === null || isChatModel(input)) return undefined;
  const { model } = input as Partial<ModelSpec>;
  return typeof model === "string" ? model : undefined;
}

function checkStringDefaults(models: readonly ModelInput[], defaults: StringDefaults): void {
  const given = (Object.keys(defaults) as Array<keyof StringDefaults>).filter((key) => defaults[key] !== undefined);
  if (given.length === 0) return;
  const strings = models.map(modelString).filter((model): model is string => model !== undefined);
  if (strings.length === 0) {
    throw new MoAConfigError(given[0] as string, `applies to models given as "provider:model" strings, and every model here is an instance: set it on the instances`);
  }
  if (defaults.apiKey !== undefined) {
    const providers = [...new Set(strings.map((model, i) => parseModelString(model, `models[${i}]`).provider))];
    if (providers.length > 1) {
      throw new MoAConfigError("apiKey", `one key cannot serve the providers ${providers.join(", ")}; give each model its own { model, apiKey }`);
    }
  }
}

function withStringDefaults(input: ModelInput, defaults: StringDefaults): ModelInput {
  if (modelString(input) === undefined) return input;
  const spec: Partial<ModelSpec> = typeof input === "string" ? { model: input } : (input as ModelSpec);
  const added = Object.fromEntries(Object.entries(defaults).filter(([key, value]) => value !== undefined && spec[key as keyof ModelSpec] === undefined));
  if (Object.keys(added).length === 0) return input;
  return { ...spec, ...added } as ModelSpec;
}

function mergeTimeout(timeouts: MixtureOfAgentsOptions["timeouts"], timeout: number | undefined): Pick<MixtureOfAgentsOptions, "timeouts"> {
  if (timeout === undefined) return timeouts === undefined ? {} : { timeouts };
  if (timeouts?.turnMs !== undefined && timeouts.turnMs !== timeout) {
    throw new MoAConfigError("timeout", `${timeout} ms contradicts timeouts.turnMs ${timeouts.turnMs} ms (the same setting); give one of them`);
  }
  return { timeouts: { ...timeouts, turnMs: timeout } };
}

function mergeRetries(retry: MixtureOfAgentsOptions["retry"], maxRetries: number | undefined): Pick<MixtureOfAgentsOptions, "retry"> {
  if (maxRetries === undefined) return retry === undefined ? {} : { retry };
  const configured = retry === false ? 0 : retry?.maxRetries;
  if (configured !== undefined && configured !== maxRetries) {
    throw new MoAConfigError("maxRetries", `${maxRetries} contradicts retry (${configured} retries, the same setting); give one of them`);
  }
  return { retry: { ...(retry === false ? {} : retry), maxRetries } };
}
