import { AIMessage, type AIMessageChunk, type InvalidToolCall, type ToolCall } from "@langchain/core/messages";

/**
 * The whole answer of a call as one `AIMessage`, from its concatenated chunks. Tool-call arguments are
 * parsed strictly: a call cut short (at `maxTokens`) is one of `invalid_tool_calls` with its text and the
 * parse error, where LangChain's chunk merging would complete the cut JSON and report it as a call.
 */
export function finalMessage(whole: AIMessageChunk): AIMessage {
  const toolCalls: ToolCall[] = [];
  const invalid: InvalidToolCall[] = [];
  for (const chunk of whole.tool_call_chunks ?? []) {
    const id = chunk.id ?? "";
    const name = chunk.name ?? "";
    try {
      const args: unknown = JSON.parse(chunk.args || "{}");
      if (typeof args !== "object" || args === null || Array.isArray(args)) throw new Error("the arguments are not a JSON object");
      toolCalls.push({ type: "tool_call", id, name, args: args as Record<string, unknown> });
    } catch (error) {
      invalid.push({ type: "invalid_tool_call", id, name, args: chunk.args ?? "", error: error instanceof Error ? error.message : String(error) });
    }
  }
  return new AIMessage({
    content: whole.content,
    ...(whole.id !== undefined ? { id: whole.id } : {}),
    tool_calls: toolCalls,
    invalid_tool_calls: invalid,
    ...(whole.usage_metadata ? { usage_metadata: whole.usage_metadata } : {}),
    response_metadata: whole.response_metadata,
    additional_kwargs: whole.additional_kwargs,
  });
}
