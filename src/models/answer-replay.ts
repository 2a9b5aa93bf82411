import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";

/**
 * A chat model that makes no request: it answers with a text chosen without an aggregator call (a vote's
 * winner, or the proposal a layer agreed on), emitting it word by word as new tokens first, so that
 * every stream consumer (LangGraph's `messages` stream, `streamEvents`, `MixtureOfAgents.stream()`)
 * receives it as it receives any answer.
 */
export class AnswerReplay extends BaseChatModel {
  constructor(private readonly text: string) {
    super({});
  }

  override _llmType(): string {
    return "moa_answer_replay";
  }

  override async _generate(_messages: BaseMessage[], _options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    for (const piece of this.text.split(/(?<=\s)(?=\S)/)) {
      const chunk = new ChatGenerationChunk({ text: piece, message: new AIMessageChunk({ content: piece }) });
      await runManager?.handleLLMNewToken(piece, undefined, undefined, undefined, undefined, { chunk });
    }
    return { generations: [{ text: this.text, message: new AIMessage(this.text) }] };
  }
}
