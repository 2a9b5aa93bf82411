import { randomInt, randomUUID } from "node:crypto";
import { AIMessageChunk, type UsageMetadata } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import type { LLamaChatGenerateResponseOptions, LlamaChat, LlamaChatResponse, LlamaGrammar } from "node-llama-cpp";
import { IterableReadableStream } from "@langchain/core/utils/stream";
import type { ChatHistoryItem, ChatModelFunctions, LlamaContextSequence } from "node-llama-cpp";

/** The sampling settings of one call, in node-llama-cpp's terms. */
export interface SamplingSettings {
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly minP?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
}

/** What one call asks the model to write: free text, text under a grammar, or text with functions it may call. */
export type ResponseShape =
  | { readonly kind: "text" }
  | { readonly kind: "grammar"; readonly grammar: LlamaGrammar; readonly forcedCall: false }
  /** A forced call of one of `tools`, written under a grammar as `{ "name": ..., "arguments": ... }`. */
  | { readonly kind: "grammar"; readonly grammar: LlamaGrammar; readonly forcedCall: true; readonly tools: readonly string[] }
  | { readonly kind: "functions"; readonly functions: ChatModelFunctions };

/** How node-llama-cpp's stop reasons map to the finish reasons LangChain's providers report. */
const FINISH_REASONS: Record<string, string> = {
  eogToken: "stop",
  stopGenerationTrigger: "stop",
  customStopTrigger: "stop",
  maxTokens: "length",
  functionCalls: "tool_calls",
  abort: "abort",
};

/**
 * Runs one call on `chat` and streams it as LangChain chunks: one per text piece the model writes
 * (none under a forced call's grammar, whose JSON becomes the tool call), then a last chunk holding the
 * tool calls, the finish reason and `usage_metadata` (tokens: prompt, of it the part already in the
 * sequence's cache, and the answer). `signal` stops the generation at the next token and rejects with its reason.
 */
export async function* streamResponse(
  chat: LlamaChat,
  history: ChatHistoryItem[],
  shape: ResponseShape,
  sampling: SamplingSettings,
  modelName: string,
  signal?: AbortSignal,
): AsyncGenerator<ChatGenerationChunk> {
  const sequence = chat.sequence;
  const before = sequence.tokenMeter.getState();
  // Stops the generation when the consumer leaves the stream early, so the sequence is idle before it is lent again.
  const stop = new AbortController();
  const stopped = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let settled = false;
  let controller!: ReadableStreamDefaultController<string>;
  const pieces = new ReadableStream<string>({ start: (c) => void (controller = c) });
  const streamsText = !(shape.kind === "grammar" && shape.forcedCall);
  const options: LLamaChatGenerateResponseOptions<ChatModelFunctions> = {
    ...samplingOptions(sampling),
    signal: stopped,
    ...(streamsText ? { onTextChunk: (text: string) => controller.enqueue(text) } : {}),
    ...(shape.kind === "grammar" ? { grammar: shape.grammar } : {}),
    ...(shape.kind === "functions" ? { functions: shape.functions } : {}),
  } as LLamaChatGenerateResponseOptions<ChatModelFunctions>;
  const done = chat.generateResponse(history, options).then(
    (response) => {
      settled = true;
      controller.close();
      return response;
    },
    (error: unknown) => {
      settled = true;
      controller.error(error);
      throw error;
    },
  );
  done.catch(() => undefined);
  try {
    for await (const text of IterableReadableStream.fromReadableStream(pieces)) {
      if (text !== "") yield new ChatGenerationChunk({ text, message: new AIMessageChunk({ content: text }) });
    }
    const response = await done;
    yield lastChunk(response, shape, usageOf(sequence, before), modelName);
  } finally {
    if (!settled) {
      stop.abort();
      await done.catch(() => undefined);
    }
  }
}

/**
 * node-llama-cpp's sampling options. Without a seed, each call gets a random one: node-llama-cpp's
 * default seed is the current second, so calls started together (Self-MoA samples) would answer alike.
 */
function samplingOptions({ stop, ...rest }: SamplingSettings): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) options[key] = value;
  options.seed ??= randomInt(2 ** 31);
  if (stop !== undefined && stop.length > 0) options.customStopTriggers = stop;
  return options;
}

function lastChunk(response: LlamaChatResponse<ChatModelFunctions>, shape: ResponseShape, usage: UsageMetadata, modelName: string): ChatGenerationChunk {
  const toolCalls = shape.kind === "grammar" && shape.forcedCall
    ? [forcedCall(response.response, shape.tools)]
    : (response.functionCalls ?? []).map((call) => ({ name: call.functionName, args: JSON.stringify(call.params ?? {}) }));
  const finishReason = FINISH_REASONS[response.metadata.stopReason] ?? response.metadata.stopReason;
  return new ChatGenerationChunk({
    text: "",
    message: new AIMessageChunk({
      content: "",
      id: `llama-cpp-${randomUUID()}`,
      tool_call_chunks: toolCalls.map(({ name, args }, index) => ({ type: "tool_call_chunk", id: `call_${randomUUID()}`, name, args, index })),
      usage_metadata: usage,
      response_metadata: { model_name: modelName, model_provider: "llama-cpp", finish_reason: toolCalls.length > 0 && finishReason === "stop" ? "tool_calls" : finishReason },
    }),
    generationInfo: { finish_reason: finishReason },
  });
}

/**
 * A forced call written under its grammar: `{ "name": ..., "arguments": {...} }`. Cut short (at
 * `maxTokens`), it keeps the name it got to and its text as the arguments, which LangChain then reports
 * among the message's `invalid_tool_calls`.
 */
function forcedCall(json: string, tools: readonly string[]): { name?: string; args: string } {
  try {
    const { name, arguments: args } = JSON.parse(json) as { name: string; arguments: unknown };
    return { name, args: JSON.stringify(args ?? {}) };
  } catch {
    const name = tools.length === 1 ? tools[0] : /^\s*\{\s*"name"\s*:\s*"([^"]*)"/.exec(json)?.[1];
    return { ...(name !== undefined ? { name } : {}), args: json };
  }
}

/**
 * Tokens of one call, from its sequence's token meter. The meter counts the prompt tokens evaluated
 * (less the last, whose decoding yields the first answer token and counts as output) and the answer's
 * tokens; the sequence then holds the prompt and the answer less its last token. Prompt tokens the
 * sequence held already from an earlier call (the same conversation) were not evaluated again: they are
 * `input_token_details.cache_read`.
 */
function usageOf(sequence: LlamaContextSequence, before: { usedInputTokens: number; usedOutputTokens: number }): UsageMetadata {
  const { usedInputTokens, usedOutputTokens: output } = sequence.tokenMeter.diff(before);
  const held = sequence.contextTokens.length;
  const prompt = output > 0 ? held - output + 1 : held;
  const evaluated = Math.min(prompt, usedInputTokens + (output > 0 ? 1 : 0));
  const cached = prompt - evaluated;
  return {
    input_tokens: prompt,
    output_tokens: output,
    total_tokens: prompt + output,
    ...(cached > 0 ? { input_token_details: { cache_read: cached } } : {}),
  };
}
