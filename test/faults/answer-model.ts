import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

/** The fields of the answer an {@link AnswerModel} gives, as a provider's LangChain client would build it. */
export type AnswerFields = ConstructorParameters<typeof AIMessage>[0] & object;

/**
 * A chat model that answers every call with the same message, built from `fields`: for answers the
 * scripted model cannot give (reasoning in `additional_kwargs`, content blocks, finish reasons).
 */
export class AnswerModel extends BaseChatModel {
  readonly model: string;
  readonly calls: BaseMessage[][] = [];
  private readonly fields: AnswerFields;
  private readonly delayMs: number;

  constructor(model: string, fields: AnswerFields, delayMs = 0) {
    super({});
    this.model = model;
    this.fields = fields;
    this.delayMs = delayMs;
  }

  override _llmType(): string {
    return "answer";
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.calls.push(messages);
    if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    options.signal?.throwIfAborted();
    const message = new AIMessage(this.fields);
    return { generations: [{ text: message.text, message }] };
  }
}
