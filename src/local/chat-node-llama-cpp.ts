import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseLanguageModelInput, StructuredOutputMethodOptions } from "@langchain/core/language_models/base";
import type { ModelProfile } from "@langchain/core/language_models/profile";
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput, type LangSmithParams } from "@langchain/core/language_models/chat_models";
import { assembleStructuredOutputPipeline, createContentParser, createFunctionCallingParser } from "@langchain/core/language_models/structured_output";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { toJsonSchema } from "@langchain/core/utils/json_schema";
import type { GbnfJsonSchema } from "node-llama-cpp";
import { MoAConfigError } from "../errors.js";
import { toChatHistory } from "./chat-history.js";
import { checkPromptFits } from "./prompt-fit.js";
import { finalMessage } from "./final-message.js";
import { checkFields, type ChatNodeLlamaCppFields } from "./local-model-fields.js";
import { DEFAULT_MAX_CONTEXT, defaultThreads, loadedContextSize, openLocalEngine, type LocalEngine, type LocalEngineSettings } from "./local-engine.js";
import type { DownloadProgress } from "./model-files.js";
import { loadNodeLlamaCpp } from "./node-llama-cpp-module.js";
import { streamResponse, type ResponseShape, type SamplingSettings } from "./response-chunks.js";
import { forcedCallSchema, forcedTools, toFunctions, toGrammarSchema, type FunctionTool, type ToolChoice } from "./tool-schemas.js";

export type { ChatNodeLlamaCppFields };

/** The call options of {@link ChatNodeLlamaCpp}: LangChain's, plus bound tools and a structured-output format. */
export interface ChatNodeLlamaCppCallOptions extends BaseChatModelCallOptions {
  /** Tools the model may call (set by `bindTools`), in any form `convertToOpenAITool` reads. */
  tools?: BindToolsInput[];
  /** `"auto"` (default), `"none"`, `"any"`/`"required"` or a tool's name: a forced call is written under a grammar. */
  tool_choice?: ToolChoice;
  /** The answer's form (set by `withStructuredOutput`): JSON of a schema, or any JSON. */
  responseFormat?: { readonly type: "json_schema"; readonly schema: Record<string, unknown> } | { readonly type: "json_object" };
}

const DEFAULT_SEQUENCES = 4;

/**
 * A LangChain chat model that runs a GGUF model in this process with llama.cpp (through `node-llama-cpp`,
 * an optional peer: `npm install node-llama-cpp@3.21.1`). Streams token by token, reports
 * `usage_metadata` (tokens), stops within a token when its call's signal aborts, calls tools with the
 * model's own chat template (`bindTools`; a forced `tool_choice` is written under a grammar) and gives
 * structured output under a JSON-schema grammar (`withStructuredOutput`, method `"jsonSchema"` by default).
 *
 * A model file is fetched once (see {@link ChatNodeLlamaCppFields.model}) and loaded once per process,
 * shared by every instance that names it; concurrent calls run on separate sequences of one context,
 * whose tokens node-llama-cpp decodes together. Loading happens on the first call, or ahead of it with {@link load}.
 * Errors: construction throws a `MoAConfigError` for an invalid field; a call rejects with a
 * `MoAConfigError` when node-llama-cpp is not installed, a `MoAModelFileError` when the model file
 * cannot be found or fetched, and a `MoAInputError` for messages a local text model cannot read.
 */
export class ChatNodeLlamaCpp extends BaseChatModel<ChatNodeLlamaCppCallOptions, AIMessageChunk> {
  /** @internal */
  static override lc_name(): string {
    return "ChatNodeLlamaCpp";
  }

  readonly model: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly minP?: number;
  readonly seed?: number;
  readonly stop?: string[];
  /** The engine settings this model loads with (contexts are shared by models with the same settings). */
  readonly engineSettings: LocalEngineSettings;
  private readonly onDownloadProgress?: (progress: DownloadProgress) => void;

  constructor(fields: ChatNodeLlamaCppFields) {
    super(fields);
    const checked = checkFields(fields);
    this.model = checked.model.trim();
    this.temperature = checked.temperature;
    this.maxTokens = checked.maxTokens;
    this.topP = checked.topP;
    this.topK = checked.topK;
    this.minP = checked.minP;
    this.seed = checked.seed;
    this.stop = checked.stop ?? checked.stopSequences;
    this.onDownloadProgress = fields.onDownloadProgress;
    this.engineSettings = {
      model: this.model,
      gpu: checked.gpu ?? "auto",
      sequences: checked.sequences ?? DEFAULT_SEQUENCES,
      threads: checked.threads ?? defaultThreads(),
      ...(checked.modelsDir !== undefined ? { modelsDir: checked.modelsDir } : {}),
      ...(checked.gpuLayers !== undefined ? { gpuLayers: checked.gpuLayers } : {}),
      ...(checked.contextSize !== undefined ? { contextSize: checked.contextSize } : {}),
    };
  }

  override _llmType(): string {
    return "node-llama-cpp";
  }

  /**
   * What the model can do: text in (no images), tool calling and structured output, and its input limit
   * in tokens: the context each call holds (`contextSize`, or once loaded the size llama.cpp gave it;
   * before that at most 8,192, the default) less the room `maxTokens` keeps for the answer.
   */
  override get profile(): ModelProfile {
    const context = loadedContextSize(this.engineSettings) ?? this.engineSettings.contextSize ?? DEFAULT_MAX_CONTEXT;
    return { maxInputTokens: Math.max(1, context - (this.maxTokens ?? 0)), imageInputs: false, toolCalling: true, structuredOutput: true };
  }

  /**
   * Fetches (once, with progress to `onProgress` or the model's `onDownloadProgress`) and loads the model,
   * so the first call does not wait for it. Rejects as a call would; `signal` stops waiting.
   */
  async load(options: { signal?: AbortSignal; onProgress?: (progress: DownloadProgress) => void } = {}): Promise<void> {
    await this.engine(options.signal, options.onProgress);
  }

  private engine(signal?: AbortSignal, onProgress = this.onDownloadProgress): Promise<LocalEngine> {
    return openLocalEngine(this.engineSettings, signal, onProgress);
  }

  override invocationParams(options?: this["ParsedCallOptions"]): Record<string, unknown> {
    const tools = options?.tools?.map((tool) => convertToOpenAITool(tool));
    return {
      model: this.model,
      temperature: this.temperature,
      max_tokens: this.maxTokens,
      top_p: this.topP,
      top_k: this.topK,
      min_p: this.minP,
      seed: this.seed,
      stop: options?.stop ?? this.stop,
      ...(tools ? { tools, tool_choice: options?.tool_choice } : {}),
    };
  }

  override getLsParams(options: this["ParsedCallOptions"]): LangSmithParams {
    return {
      ls_provider: "llama-cpp",
      ls_model_name: this.model,
      ls_model_type: "chat",
      ...(this.temperature !== undefined ? { ls_temperature: this.temperature } : {}),
      ...(this.maxTokens !== undefined ? { ls_max_tokens: this.maxTokens } : {}),
      ...((options.stop ?? this.stop) ? { ls_stop: options.stop ?? this.stop } : {}),
    };
  }

  /** Binds tools (and `tool_choice`) as call options, as LangChain's provider packages do. */
  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ChatNodeLlamaCppCallOptions>): Runnable<BaseLanguageModelInput, AIMessageChunk, ChatNodeLlamaCppCallOptions> {
    const converted = tools.map((tool) => convertToOpenAITool(tool) as FunctionTool);
    if (kwargs?.tool_choice !== undefined) forcedTools(converted, kwargs.tool_choice);
    return this.withConfig({ tools: converted, ...kwargs } as Partial<ChatNodeLlamaCppCallOptions>);
  }

  /**
   * Structured output. `"jsonSchema"` (default) and `"jsonMode"` constrain the answer's text with a
   * grammar built from the schema (or any JSON); `"functionCalling"` forces a call of a tool whose
   * parameters are the schema, also under a grammar. With `includeRaw`, returns `{ raw, parsed }`.
   */
  override withStructuredOutput<RunOutput extends Record<string, unknown> = Record<string, unknown>>(
    outputSchema: Parameters<BaseChatModel["withStructuredOutput"]>[0],
    config?: StructuredOutputMethodOptions<boolean>,
  ): Runnable<BaseLanguageModelInput, RunOutput> | Runnable<BaseLanguageModelInput, { raw: BaseMessage; parsed: RunOutput }> {
    const method = config?.method ?? "jsonSchema";
    if (method !== "jsonSchema" && method !== "jsonMode" && method !== "functionCalling") {
      throw new MoAConfigError("method", `unknown structured output method "${String(method)}"; expected "jsonSchema", "jsonMode" or "functionCalling"`);
    }
    const schema = toJsonSchema(outputSchema as never) as Record<string, unknown>;
    if (method === "functionCalling") {
      const name = config?.name ?? "extract";
      const tool = { type: "function", function: { name, description: typeof schema.description === "string" ? schema.description : "", parameters: schema } };
      const llm = this.bindTools([tool], { tool_choice: name, ls_structured_output_format: { kwargs: { method }, schema } } as Partial<ChatNodeLlamaCppCallOptions>);
      return assembleStructuredOutputPipeline(llm, createFunctionCallingParser(outputSchema as never, name), config?.includeRaw, "ChatNodeLlamaCppStructuredOutput") as never;
    }
    const llm = this.withConfig({
      responseFormat: method === "jsonMode" ? { type: "json_object" } : { type: "json_schema", schema },
      ls_structured_output_format: { kwargs: { method }, schema },
    } as Partial<ChatNodeLlamaCppCallOptions>);
    return assembleStructuredOutputPipeline(llm, createContentParser(outputSchema as never), config?.includeRaw, "ChatNodeLlamaCppStructuredOutput") as never;
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    let whole: ChatGenerationChunk | undefined;
    for await (const chunk of this._streamResponseChunks(messages, options, runManager)) whole = whole === undefined ? chunk : whole.concat(chunk);
    if (whole === undefined) throw new Error("the local model returned no response");
    return { generations: [{ text: whole.text, message: finalMessage(whole.message as AIMessageChunk), ...(whole.generationInfo ? { generationInfo: whole.generationInfo } : {}) }] };
  }

  override async *_streamResponseChunks(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): AsyncGenerator<ChatGenerationChunk> {
    const history = toChatHistory(messages);
    const { signal } = options;
    const engine = await this.engine(signal);
    const shape = await this.responseShape(engine, options);
    checkPromptFits(engine, history, shape, this.model);
    const lease = await engine.pool.acquire(signal);
    const { LlamaChat } = await loadNodeLlamaCpp();
    const chat = new LlamaChat({ contextSequence: lease.sequence, chatWrapper: engine.chatWrapper });
    // Without maxTokens an answer ends at the latest when it could fill the context: node-llama-cpp would
    // otherwise shift the context and write on for ever.
    const sampling = { ...this.sampling(options), maxTokens: this.maxTokens ?? engine.pool.context.contextSize };
    try {
      for await (const chunk of streamResponse(chat, history, shape, sampling, this.model, signal)) {
        yield chunk;
        if (chunk.text !== "") await runManager?.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, { chunk });
      }
    } finally {
      chat.dispose({ disposeSequence: false });
      lease.release();
    }
  }

  private sampling(options: this["ParsedCallOptions"]): SamplingSettings {
    const stop = options.stop ?? this.stop;
    return {
      temperature: this.temperature,
      maxTokens: this.maxTokens,
      topP: this.topP,
      topK: this.topK,
      minP: this.minP,
      seed: this.seed,
      ...(stop ? { stop } : {}),
    };
  }

  private async responseShape(engine: LocalEngine, options: this["ParsedCallOptions"]): Promise<ResponseShape> {
    if (options.responseFormat?.type === "json_object") return { kind: "grammar", grammar: await engine.llama.getGrammarFor("json"), forcedCall: false };
    if (options.responseFormat?.type === "json_schema") {
      return { kind: "grammar", grammar: await grammarFor(engine, toGrammarSchema(options.responseFormat.schema), "the structured output schema"), forcedCall: false };
    }
    const tools = (options.tools ?? []).map((tool) => convertToOpenAITool(tool) as FunctionTool);
    if (tools.length === 0 || options.tool_choice === "none") return { kind: "text" };
    const forced = forcedTools(tools, options.tool_choice);
    if (forced) return { kind: "grammar", grammar: await grammarFor(engine, forcedCallSchema(forced), `the tool(s) ${forced.map((t) => t.function.name).join(", ")}`), forcedCall: true, tools: forced.map((t) => t.function.name) };
    return { kind: "functions", functions: toFunctions(tools) };
  }
}

async function grammarFor(engine: LocalEngine, schema: GbnfJsonSchema, what: string) {
  try {
    // The schema comes from the caller at run time: its type cannot be inferred statically.
    return await engine.llama.createGrammarForJsonSchema(schema as never);
  } catch (error) {
    throw new MoAConfigError("schema", `node-llama-cpp cannot build a grammar for ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
