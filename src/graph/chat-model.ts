import { randomUUID } from "node:crypto";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput, StructuredOutputMethodOptions } from "@langchain/core/language_models/base";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
  type LangSmithParams,
} from "@langchain/core/language_models/chat_models";
import type { ModelProfile } from "@langchain/core/language_models/profile";
import { AIMessage, type AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { RunnableLambda, type Runnable, type RunnableConfig } from "@langchain/core/runnables";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { SerializableSchema } from "@langchain/core/utils/standard_schema";
import { IterableReadableStream } from "@langchain/core/utils/stream";
import type { ZodV3Like, ZodV4Like } from "@langchain/core/utils/types";
import { MoAConfigError } from "../errors.js";
import { toToolBinding } from "../models/tool-binding.js";
import { bindAnswerFormat } from "../nodes/bind-answer-format.js";
import { STREAM_ANSWER_KEY } from "../nodes/call-model.js";
import type { ProposalEvent } from "../nodes/proposal-event.js";
import { ANSWER_FORMAT_KEY, type AnswerFormat, type StructuredOutputRequest, type ToolBinding } from "../state/answer-format.js";
import { checkChatModelFields } from "../state/fields-schema.js";
import { resolveOptions, type ResolvedMoAOptions } from "../state/options.js";
import type { MoAState } from "../state/state.js";
import { AnswerChunks } from "./answer-chunks.js";
import { compileResolvedMixture } from "./build.js";
import { toChatModelSettings, type MixtureOfAgentsFields, type ShowInternal } from "./chat-model-fields.js";
import { childCallbacks } from "./child-callbacks.js";
import { formatProposal } from "./format-proposal.js";
import { getMoATrace } from "../state/trace.js";
import { mixtureIdentity, mixtureName } from "./mixture-identity.js";
import { mixtureProfile } from "./mixture-profile.js";
import { TURN_METADATA_KEY, TurnEventsHandler } from "./turn-events-handler.js";

export type { MixtureOfAgentsFields, ShowInternal };

/**
 * Call options of the {@link MixtureOfAgents} chat model. Besides the standard ones (`stop`, `signal`,
 * `timeout`, `callbacks`, ...), `bindTools` and `withStructuredOutput` set these; the provider-native
 * structured-output options an agent may bind (`response_format`, `responseSchema`, `outputConfig`,
 * `allowedFunctionNames`) are passed on to the aggregator as they are.
 */
export interface MixtureOfAgentsCallOptions extends BaseChatModelCallOptions {
  /** Tools the aggregator may call (set by `bindTools`); the proposers are told their names and descriptions. */
  tools?: BindToolsInput[];
  /** Whether the aggregator may call several tools at once, where its provider has the option (OpenAI). */
  parallel_tool_calls?: boolean;
  /** Strict schema adherence of tool calls, where the aggregator's provider has it (OpenAI). */
  strict?: boolean;
  /** Structured output of the aggregator (set by `withStructuredOutput`). */
  structuredOutput?: StructuredOutputRequest;
}

/** A schema `withStructuredOutput` takes: zod (v3 or v4), a standard schema, or a JSON schema. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the base class's own bound
export type StructuredOutputSchema<RunOutput extends Record<string, any>> = SerializableSchema<RunOutput> | ZodV4Like<RunOutput> | ZodV3Like<RunOutput> | Record<string, any>;

/** Call options handed to the aggregator's `bindTools` with the tools. */
const AGGREGATOR_TOOL_OPTIONS = ["tool_choice", "parallel_tool_calls", "strict", "response_format", "responseSchema", "outputConfig", "allowedFunctionNames"] as const;

/**
 * Mixture-of-Agents as a LangChain chat model: a drop-in replacement for a model anywhere in LangChain
 * (`prompt.pipe(moa)`, `moa.invoke`, `moa.stream`, `moa.batch`, `withRetry`, a node of another graph, the
 * model of `createAgent` or `createReactAgent`). Each call runs one MoA turn over the messages given;
 * the answer's tokens stream, and reach callbacks, once each as this model's own; the proposer and
 * aggregator calls are child runs (tagged `moa:proposer` / `moa:aggregator`) whose tokens are not
 * reported. Each proposal is also emitted as the callback event `moa_proposal`.
 *
 * With `bindTools`, the aggregator acts (it is called with the tools, and its tool calls are the answer)
 * and the proposers advise (in text, told which tools exist). With `withStructuredOutput`, the aggregator
 * produces the object with its own structured-output support. See {@link MixtureOfAgentsFields} for
 * what each standard field means for a mixture.
 *
 * @throws MoAConfigError at construction, naming the field, for options or fields that are invalid or
 * cannot be honoured; and from `bindTools` / `withStructuredOutput` when an aggregator cannot do it.
 *
 * @example
 * const moa = new MixtureOfAgents({ mainModel: "openai:gpt-4o", referenceModels: ["openai:gpt-4o-mini", "ollama:llama3.1"], rounds: 1 });
 * const answer = await moa.invoke("What is MoA?");
 */
export class MixtureOfAgents extends BaseChatModel<MixtureOfAgentsCallOptions> {
  /** The compiled MoA graph this model runs (its model calls are hidden from `messages` streams). */
  readonly graph;
  /** What happens to each proposal as it finishes. */
  showInternal: ShowInternal;
  /** The mixture's name, e.g. `moa(openai:gpt-4o-mini, ollama:llama3.1 x2 -> openai:gpt-4o; 2 layers)`. */
  readonly model: string;
  /** The default temperature of models given as strings, if set. */
  readonly temperature?: number;
  /** The default token limit of models given as strings, if set. */
  readonly maxTokens?: number;
  /** The answer's stop sequences, if set. */
  readonly stopSequences?: readonly string[];
  /** Whether `invoke` streams the answer to the callbacks. */
  readonly streaming: boolean;
  private readonly resolved: ResolvedMoAOptions;
  private readonly toolBindings = new WeakMap<object, ToolBinding>();

  static override lc_name(): string {
    return "MixtureOfAgents";
  }

  constructor(fields: MixtureOfAgentsFields) {
    checkChatModelFields(fields);
    super(fields);
    this.showInternal = fields.showInternal ?? false;
    const settings = toChatModelSettings(fields);
    this.resolved = resolveOptions(settings.options);
    this.model = mixtureName(this.resolved);
    this.streaming = settings.streaming;
    this.disableStreaming = fields.disableStreaming === true;
    if (settings.temperature !== undefined) this.temperature = settings.temperature;
    if (settings.maxTokens !== undefined) this.maxTokens = settings.maxTokens;
    if (settings.stopSequences !== undefined) this.stopSequences = settings.stopSequences;
    // A chat model is stateless: its graph never writes into the checkpointer of a graph that calls it.
    this.graph = compileResolvedMixture(this.resolved, { hideModelCalls: true }, { checkpointer: false, name: fields.name });
  }

  override _llmType(): string {
    return "mixture-of-agents";
  }

  /**
   * What the mixture supports, from its models' profiles: tool calling, tool choice and structured
   * output are the aggregators', inputs and the context window those all models share.
   */
  override get profile(): ModelProfile {
    return mixtureProfile(this.resolved.proposers, this.resolved.aggregators);
  }

  /** LangSmith's parameters: provider `langgraph-moa`, the mixture's name as the model, and the standard settings. */
  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    return {
      ls_provider: "langgraph-moa",
      ls_model_name: this.model,
      ls_model_type: "chat",
      ls_temperature: this.temperature,
      ls_max_tokens: this.maxTokens,
      ls_stop: options.stop ?? (this.stopSequences ? [...this.stopSequences] : undefined),
    };
  }

  /** The mixture's models and answer-shaping options, without API keys: LangChain's cache keys on them. */
  override _identifyingParams(): Record<string, unknown> {
    return { model: this.model, mixture: mixtureIdentity(this.resolved, this.resolved.redact) };
  }

  /**
   * LangChain's cache key of a call: the mixture's identity and the call options, with tools and schemas
   * written out (as OpenAI-format tools and JSON schemas) so that two bindings never share an entry.
   */
  override _getSerializedCacheKeyParametersForCall(options: MixtureOfAgentsCallOptions & { config?: RunnableConfig }): string {
    const { tools, structuredOutput, ...rest } = options;
    return super._getSerializedCacheKeyParametersForCall({
      ...rest,
      ...(tools ? { tools: tools.map((tool) => convertToOpenAITool(tool)) } : {}),
      ...(structuredOutput ? { structuredOutput: { ...structuredOutput, schema: toJsonSchema(structuredOutput.schema as Parameters<typeof toJsonSchema>[0]) } } : {}),
    });
  }

  override invocationParams(options?: this["ParsedCallOptions"]): Record<string, unknown> {
    const stop = options?.stop ?? this.stopSequences;
    return {
      model: this.model,
      ...(this.temperature !== undefined ? { temperature: this.temperature } : {}),
      ...(this.maxTokens !== undefined ? { max_tokens: this.maxTokens } : {}),
      ...(stop !== undefined ? { stop } : {}),
    };
  }

  /**
   * Binds tools: the aggregator is called with them (and `tool_choice`, `parallel_tool_calls`, `strict`
   * as given in `kwargs`) and its tool calls are the answer; the proposers are told each tool's name and
   * description and answer in text. Returns a runnable, as every LangChain chat model's `bindTools` does.
   * @throws MoAConfigError for a tool LangChain cannot convert, a `tool_choice` naming no bound tool, or
   * an aggregator given as an instance that cannot bind tools.
   */
  override bindTools(tools: BindToolsInput[], kwargs?: Partial<MixtureOfAgentsCallOptions>): Runnable<BaseLanguageModelInput, AIMessageChunk, MixtureOfAgentsCallOptions> {
    const binding = toToolBinding(tools, { ...pickAggregatorOptions(kwargs ?? {}) });
    this.toolBindings.set(tools, binding);
    this.checkAggregators({ tools: binding });
    return this.withConfig({ tools, ...kwargs } as Partial<MixtureOfAgentsCallOptions>);
  }

  override withStructuredOutput<RunOutput extends Record<string, unknown> = Record<string, unknown>>(
    outputSchema: StructuredOutputSchema<RunOutput>,
    config?: StructuredOutputMethodOptions<false>,
  ): Runnable<BaseLanguageModelInput, RunOutput>;
  override withStructuredOutput<RunOutput extends Record<string, unknown> = Record<string, unknown>>(
    outputSchema: StructuredOutputSchema<RunOutput>,
    config?: StructuredOutputMethodOptions<true>,
  ): Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }>;
  /**
   * Structured output, produced by the aggregator with its own `withStructuredOutput` (method
   * `functionCalling` by default, which every provider of LangChain offers; `jsonSchema` or `jsonMode`
   * where the aggregator has them); the proposers answer in text. Returns the parsed object, or
   * `{ raw, parsed }` with `includeRaw` (`parsed` is `null` when the answer did not parse).
   * @throws MoAConfigError naming the aggregator and the methods it supports, when it lacks `method`.
   */
  override withStructuredOutput<RunOutput extends Record<string, unknown> = Record<string, unknown>>(
    outputSchema: StructuredOutputSchema<RunOutput>,
    config?: StructuredOutputMethodOptions<boolean>,
  ): Runnable<BaseLanguageModelInput, RunOutput> | Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }> {
    const method = config?.method ?? "functionCalling";
    const includeRaw = config?.includeRaw === true;
    const request: StructuredOutputRequest = {
      schema: outputSchema as Record<string, unknown>,
      method,
      includeRaw,
      ...(config?.name !== undefined ? { name: config.name } : {}),
      ...(config?.strict !== undefined ? { strict: config.strict } : {}),
    };
    this.checkAggregators({ structured: request });
    const model = this.withConfig({
      structuredOutput: request,
      ls_structured_output_format: { kwargs: { method }, schema: toJsonSchema(outputSchema as Parameters<typeof toJsonSchema>[0]) },
    });
    const parse = RunnableLambda.from((message: AIMessageChunk) => {
      const parsed = (message.additional_kwargs.parsed ?? null) as RunOutput | null;
      return includeRaw ? { raw: message, parsed } : parsed;
    });
    return model.pipe(parse).withConfig({ runName: includeRaw ? "StructuredOutputRunnable" : "StructuredOutput" }) as Runnable<BaseLanguageModelInput, RunOutput>;
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    options.signal?.throwIfAborted();
    const chunks = new AnswerChunks();
    const report = this.streaming && runManager !== undefined
      ? (chunk: ChatGenerationChunk) => {
          const answerChunk = chunks.toAnswerChunk(chunk);
          if (answerChunk) void runManager.handleLLMNewToken(answerChunk.text, undefined, undefined, undefined, undefined, { chunk: answerChunk });
        }
      : undefined;
    const message = finalMessage(await this.runTurn(messages, options, runManager, report));
    return { generations: [{ text: message.text, message }], llmOutput: { moa: getMoATrace(message) } };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    options.signal?.throwIfAborted();
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    const answer = new AnswerChunks();
    // Cancelled when the consumer stops reading: then the rest of the turn is aborted.
    const chunks = new IterableReadableStream<ChatGenerationChunk>({
      start: (controller) => {
        const onChunk = (chunk: ChatGenerationChunk) => {
          const answerChunk = stop.signal.aborted ? undefined : answer.toAnswerChunk(chunk);
          if (answerChunk) controller.enqueue(answerChunk);
        };
        this.runTurn(messages, { ...options, signal }, runManager, onChunk).then(
          (state) => {
            if (stop.signal.aborted) return;
            controller.enqueue(answer.closing(finalMessage(state)));
            controller.close();
          },
          (error: unknown) => controller.error(error),
        );
      },
      cancel: () => stop.abort(),
    });
    const reportTokens = runManager !== undefined && !isRootOfEventStream(runManager);
    for await (const chunk of chunks) {
      yield chunk;
      if (reportTokens) await runManager.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, { chunk });
    }
  }

  private async runTurn(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager: CallbackManagerForLLMRun | undefined,
    onAggregatorChunk?: (chunk: ChatGenerationChunk) => void,
  ): Promise<MoAState> {
    const turn = randomUUID();
    const handler = new TurnEventsHandler({ turn, onProposal: this.proposalListener(), onAggregatorChunk });
    const callbacks = childCallbacks(runManager);
    callbacks.addHandler(handler, true);
    return this.graph.invoke(
      { messages },
      {
        callbacks,
        signal: options.signal,
        metadata: { [TURN_METADATA_KEY]: turn },
        configurable: { [STREAM_ANSWER_KEY]: onAggregatorChunk !== undefined, [ANSWER_FORMAT_KEY]: this.answerFormat(options) },
      },
    );
  }

  /** The turn's answer format from the call options: bound tools, structured output, stop sequences. */
  private answerFormat(options: this["ParsedCallOptions"]): AnswerFormat | undefined {
    const toolOptions = pickAggregatorOptions(options);
    const stop = stopSequencesOf(options.stop) ?? this.stopSequences;
    let tools: ToolBinding | undefined;
    if (options.tools !== undefined) {
      const known = this.toolBindings.get(options.tools);
      tools = known !== undefined && sameOptions(known.kwargs, toolOptions) ? known : toToolBinding(options.tools, toolOptions);
    } else if (Object.keys(toolOptions).length > 0) {
      tools = toToolBinding([], toolOptions);
    }
    const format: AnswerFormat = {
      ...(tools ? { tools } : {}),
      ...(options.structuredOutput ? { structured: options.structuredOutput } : {}),
      ...(stop && stop.length > 0 ? { stop } : {}),
    };
    return Object.keys(format).length > 0 ? format : undefined;
  }

  /** Checks the aggregators that exist already (instances) against `format`; strings are checked when a turn starts. */
  private checkAggregators(format: AnswerFormat): void {
    for (const slot of this.resolved.aggregators) {
      const model = slot.peekModel();
      if (model !== undefined) bindAnswerFormat(model, format, slot);
    }
  }

  private proposalListener(): ((event: ProposalEvent) => void) | undefined {
    const show = this.showInternal;
    if (typeof show === "function") return show;
    return show ? (event) => console.info(formatProposal(event)) : undefined;
  }
}

/** Call-time `stop` as a list: one string is one sequence (as OpenAI takes it), never its characters. */
function stopSequencesOf(stop: unknown): readonly string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  const list: unknown[] = typeof stop === "string" ? [stop] : Array.isArray(stop) ? stop : [stop];
  if (!list.every((item): item is string => typeof item === "string" && item !== "")) {
    throw new MoAConfigError("stop", `expected a list of non-empty strings, e.g. ["END"]; got ${JSON.stringify(stop).slice(0, 60)}`);
  }
  return list;
}

function pickAggregatorOptions(options: object): Record<string, unknown> {
  const source = options as Record<string, unknown>;
  return Object.fromEntries(AGGREGATOR_TOOL_OPTIONS.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}

function sameOptions(a: Readonly<Record<string, unknown>>, b: Readonly<Record<string, unknown>>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function finalMessage(state: MoAState): AIMessage {
  const last = state.messages.at(-1);
  if (!AIMessage.isInstance(last)) throw new Error("The MoA turn ended without an answer");
  return last;
}

/**
 * `streamEvents` takes a root run's tokens from its output stream, and drops its token callbacks only
 * while no other run is open; this model's inner runs are open, so reporting them would double each token.
 */
function isRootOfEventStream(runManager: CallbackManagerForLLMRun): boolean {
  return runManager.parentRunId === undefined && runManager.handlers.some((handler) => handler.name === "event_stream_tracer");
}
