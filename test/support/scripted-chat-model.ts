import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel, type BaseChatModelCallOptions } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
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
}

export class ScriptedChatModel extends BaseChatModel {
  readonly model: string;
  readonly calls: BaseMessage[][] = [];
  readonly callTags: string[][] = [];
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

  private async respond(messages: BaseMessage[], options: BaseChatModelCallOptions): Promise<{ text: string; usage?: { input: number; output: number } }> {
    const call = this.calls.length;
    this.calls.push(messages);
    this.callTags.push(options.tags ?? []);
    if (this.fields.delayMs) await sleep(this.fields.delayMs, options.signal);
    const fail = typeof this.fields.fail === "function" ? this.fields.fail(call) : this.fields.fail;
    if (fail) throw fail;
    const { answer = `${this.model} answer ${call + 1}` } = this.fields;
    const text = typeof answer === "function" ? answer(messages, call) : answer;
    const usage = this.fields.usage === null ? undefined : this.fields.usage ?? { input: 10, output: 5 };
    return { text, ...(usage ? { usage } : {}) };
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const { text, usage } = await this.respond(messages, options);
    const message = new AIMessage({ content: text, ...(usage ? { usage_metadata: toUsage(usage) } : {}) });
    return { generations: [{ text, message }] };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const { text, usage } = await this.respond(messages, options);
    const pieces = text.split(/(?<= )/);
    for (const [i, piece] of pieces.entries()) {
      if (i > 0 && this.fields.tokenDelayMs) await sleep(this.fields.tokenDelayMs, options.signal);
      this.streamedTokens += 1;
      if (i === 1 && this.fields.failMidStream) throw this.fields.failMidStream;
      const last = i === pieces.length - 1;
      const chunk = new ChatGenerationChunk({
        text: piece,
        message: new AIMessageChunk({ content: piece, ...(last && usage ? { usage_metadata: toUsage(usage) } : {}) }),
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
