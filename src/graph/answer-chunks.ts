import { AIMessageChunk, type AIMessage, type ToolCallChunk } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";

/**
 * Turns the aggregator's streamed chunks into the mixture's answer chunks, and closes the stream with
 * what did not stream: the turn's usage and trace always, and the answer's text or tool calls when the
 * aggregator gave them whole (a model that does not stream, a client that reports tokens without their
 * chunk, tool calls sent in one piece). Joined with `concat`, the chunks equal the final answer.
 */
export class AnswerChunks {
  private textStreamed = false;
  private toolCallsStreamed = false;

  /** The answer chunk of one aggregator chunk, or `undefined` when it carries neither text nor tool calls. */
  toAnswerChunk(chunk: ChatGenerationChunk): ChatGenerationChunk | undefined {
    const message = chunk.message as Partial<AIMessageChunk>;
    const toolCallChunks = message.tool_call_chunks ?? [];
    if (chunk.text === "" && toolCallChunks.length === 0) return undefined;
    if (chunk.text !== "") this.textStreamed = true;
    if (toolCallChunks.length > 0) this.toolCallsStreamed = true;
    return new ChatGenerationChunk({
      text: chunk.text,
      message: new AIMessageChunk({ content: message.content ?? chunk.text, ...(toolCallChunks.length > 0 ? { tool_call_chunks: toolCallChunks } : {}) }),
    });
  }

  /** The last chunk: usage, trace and whatever of `final` has not streamed. */
  closing(final: AIMessage): ChatGenerationChunk {
    const content = this.textStreamed ? "" : final.content;
    const toolCalls = this.toolCallsStreamed ? [] : (final.tool_calls ?? []);
    const toolCallChunks: ToolCallChunk[] = toolCalls.map((call, index) => ({
      type: "tool_call_chunk",
      name: call.name,
      args: JSON.stringify(call.args),
      index,
      ...(call.id !== undefined ? { id: call.id } : {}),
    }));
    const message = new AIMessageChunk({
      content,
      ...(toolCallChunks.length > 0 ? { tool_call_chunks: toolCallChunks } : {}),
      ...(final.usage_metadata ? { usage_metadata: final.usage_metadata } : {}),
      ...(final.additional_kwargs.parsed !== undefined ? { additional_kwargs: { parsed: final.additional_kwargs.parsed } } : {}),
      response_metadata: { model: final.response_metadata.model, ...(final.response_metadata.id !== undefined ? { id: final.response_metadata.id } : {}), moa: final.response_metadata.moa },
    });
    return new ChatGenerationChunk({ text: message.text, message });
  }
}
