import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";

/**
 * The conversation as a proposer sees it when it is called without tools: each AI message's tool calls
 * are written into its text, and each run of `ToolMessage`s becomes one user message holding the
 * results. Providers refuse tool messages (OpenAI `role: "tool"`, Gemini `functionResponse`) in a
 * request that declares no tools, and some require user and assistant turns to alternate.
 * A conversation without tool calls is returned as it is.
 */
export function toolHistoryAsText(messages: readonly BaseMessage[]): BaseMessage[] {
  if (!messages.some((m) => ToolMessage.isInstance(m) || hasToolCalls(m))) return [...messages];
  const toolNames = new Map<string, string>();
  const rendered: BaseMessage[] = [];
  let results: string[] = [];
  const flushResults = () => {
    if (results.length > 0) rendered.push(new HumanMessage(results.join("\n\n")));
    results = [];
  };
  for (const message of messages) {
    if (ToolMessage.isInstance(message)) {
      results.push(describeResult(message, toolNames.get(message.tool_call_id)));
      continue;
    }
    flushResults();
    if (!hasToolCalls(message)) {
      rendered.push(message);
      continue;
    }
    const calls = message.tool_calls ?? [];
    for (const call of calls) if (call.id) toolNames.set(call.id, call.name);
    const lines = calls.map((call) => `[Called tool ${call.name} with arguments ${JSON.stringify(call.args)}${call.id ? ` (call ${call.id})` : ""}]`);
    rendered.push(new AIMessage({ content: [message.text, ...lines].filter((line) => line !== "").join("\n"), ...(message.id ? { id: message.id } : {}) }));
  }
  flushResults();
  return rendered;
}

function hasToolCalls(message: BaseMessage): message is AIMessage {
  return AIMessage.isInstance(message) && (message.tool_calls?.length ?? 0) > 0;
}

function describeResult(message: ToolMessage, calledName: string | undefined): string {
  const name = message.name ?? calledName ?? "a tool";
  const outcome = message.status === "error" ? "failed with" : "returned";
  return `[Tool ${name} (call ${message.tool_call_id}) ${outcome}:]\n${message.text}`;
}
