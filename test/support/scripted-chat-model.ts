import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelCallOptions, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage, type ToolCall } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";

/** A scripted stand-in for an LLM provider: answers from a script, records every call it gets. */
export interface ScriptedChatModelFields {
  /** Shown as the model name (read by the MoA as `model`). */
  model: string;
  /** The answer, or a function of the messages and the call number (0-based). */
  answer?: string | ((messages: BaseMessage[], call: number) => string);
  /** Milliseconds before answering. */
  delayMs?: number;
  /** Tokens reported per call; `null` reports none. */
  usage?: { input: number; output: number } | null;
  /** Milliseconds between streamed tokens. */
  tokenDelayMs?: number;
  /** When streaming, throws this after the first token. */
  failMidStream?: Error;
  /** Throws this instead of answering (on every call, or when the function returns an error). */
  fail?: Error | ((call: number) => Error | undefined);
  /** Tool calls to answer with (ids default to `call_<call>_<i>`), or a function of the messages and call number. */
  toolCalls?: Array<Omit<ToolCall, "type">> | ((messages: BaseMessage[], call: number) => Array<Omit<ToolCall, "type">> | undefined);
}

/** The call options a scripted model was called with that concern the answer's form. */
export interface RecordedCallOptions {
  /** Names of the tools it was called with (`[]` when none). */
  tools: string[];
  tool_choice?: unknown;
  stop?: string[];
}

export class ScriptedChatModel extends BaseChatModel {
  readonly model: string;
  readonly calls: BaseMessage[][] = [];
  readonly callTags: string[][] = [];
  readonly callOptions: RecordedCallOptions[] = [];
  /** Tokens streamed so far, over all calls. */
  streamedTokens = 0;
  private readonly fields: ScriptedChatModelFields;

  constructor(fields: ScriptedChatModelFields) {
    super({});
    this.model = fields.model;
    this.fields = fields;
  }

  override _llmType(): string {
    return "scripted";
  }

  /** Binds tools as the provider packages do: as call options of a runnable binding. */
  override bindTools(tools: BindToolsInput[], kwargs?: Partial<BaseChatModelCallOptions>) {
    return this.withConfig({ tools, ...kwargs } as Partial<BaseChatModelCallOptions>);
  }

  private async respond(messages: BaseMessage[], options: BaseChatModelCallOptions): Promise<{ text: string; usage?: { input: number; output: number }; toolCalls: ToolCall[] }> {
    const call = this.calls.length;
    this.calls.push(messages);
    this.callTags.push(options.tags ?? []);
    const { tools, tool_choice: toolChoice } = options as { tools?: Array<{ name?: string; function?: { name?: string } }>; tool_choice?: unknown };
    this.callOptions.push({
      tools: (tools ?? []).map((tool) => tool.name ?? tool.function?.name ?? "?"),
      ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
      ...(options.stop ? { stop: options.stop } : {}),
    });
    if (this.fields.delayMs) await sleep(this.fields.delayMs, options.signal);
    const fail = typeof this.fields.fail === "function" ? this.fields.fail(call) : this.fields.fail;
    if (fail) throw fail;
    const { answer = `${this.model} answer ${call + 1}` } = this.fields;
    const text = typeof answer === "function" ? answer(messages, call) : answer;
    const usage = this.fields.usage === null ? undefined : this.fields.usage ?? { input: 10, output: 5 };
    const scripted = typeof this.fields.toolCalls === "function" ? this.fields.toolCalls(messages, call) : this.fields.toolCalls;
    const toolCalls = (scripted ?? []).map((tc, i) => ({ ...tc, id: tc.id ?? `call_${call}_${i}`, type: "tool_call" as const }));
    return { text, toolCalls, ...(usage ? { usage } : {}) };
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const { text, usage, toolCalls } = await this.respond(messages, options);
    const message = new AIMessage({ content: text, tool_calls: toolCalls, ...(usage ? { usage_metadata: toUsage(usage) } : {}) });
    return { generations: [{ text, message }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const { text, usage, toolCalls } = await this.respond(messages, options);
    const pieces = text.split(/(?<= )/);
    for (const [i, piece] of pieces.entries()) {
      if (i > 0 && this.fields.tokenDelayMs) await sleep(this.fields.tokenDelayMs, options.signal);
      this.streamedTokens += 1;
      if (i === 1 && this.fields.failMidStream) throw this.fields.failMidStream;
      const last = i === pieces.length - 1;
      const toolCallChunks = last ? toolCalls.map((tc, index) => ({ type: "tool_call_chunk" as const, id: tc.id, name: tc.name, args: JSON.stringify(tc.args), index })) : [];
      const chunk = new ChatGenerationChunk({
        text: piece,
        message: new AIMessageChunk({ content: piece, tool_call_chunks: toolCallChunks, ...(last && usage ? { usage_metadata: toUsage(usage) } : {}) }),
      });
      yield chunk;
      await runManager?.handleLLMNewToken(piece, undefined, undefined, undefined, undefined, { chunk });
    }
  }
}

function toUsage({ input, output }: { input: number; output: number }) {
  return { input_tokens: input, output_tokens: output, total_tokens: input + output };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
