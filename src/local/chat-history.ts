import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from "node-llama-cpp";
import { MoAInputError } from "../errors.js";

/**
 * A LangChain conversation as node-llama-cpp's chat history, which the model's chat template renders:
 * system, user and assistant messages in order; an assistant's tool calls with their results (the
 * `ToolMessage`s that answer them) as function calls of that assistant's response. The history ends
 * with the assistant's response to be written (empty, or the one whose tool results came last).
 * Throws a {@link MoAInputError} for an empty conversation, content a local text model cannot read (images, audio), a tool
 * result that answers no tool call, and a tool call left without its result.
 */
export function toChatHistory(messages: readonly BaseMessage[]): ChatHistoryItem[] {
  if (messages.length === 0) throw new MoAInputError("the conversation is empty: give at least one message (e.g. a HumanMessage)");
  const history: ChatHistoryItem[] = [];
  const pending = new Map<string, ChatModelFunctionCall>();
  messages.forEach((message, index) => {
    const type = message.getType();
    if (type === "tool") {
      const id = (message as ToolMessage).tool_call_id;
      const call = pending.get(id);
      if (call === undefined) throw new MoAInputError(`message ${index} is a tool result for "${id}", which no earlier assistant message called; each ToolMessage must answer a tool call of the assistant message before it`);
      call.result = parseResult(textOf(message, index));
      pending.delete(id);
      return;
    }
    if (pending.size > 0) throw unanswered(pending);
    if (type === "system") history.push({ type: "system", text: textOf(message, index) });
    else if (type === "human" || type === "generic") history.push({ type: "user", text: textOf(message, index) });
    else if (type === "ai") history.push(modelResponse(message as AIMessage, index, pending));
    else throw new MoAInputError(`message ${index} is a "${type}" message, which a local model cannot read; use system, human, ai and tool messages`);
  });
  if (pending.size > 0) throw unanswered(pending);
  const last = history.at(-1);
  const continuesToolResults = last?.type === "model" && last.response.some((item) => typeof item === "object" && item.type === "functionCall");
  if (!continuesToolResults) history.push({ type: "model", response: [] });
  return history;
}

function modelResponse(message: AIMessage, index: number, pending: Map<string, ChatModelFunctionCall>): ChatModelResponse {
  const text = textOf(message, index);
  const response: ChatModelResponse["response"] = text === "" ? [] : [text];
  for (const [i, toolCall] of (message.tool_calls ?? []).entries()) {
    const call: ChatModelFunctionCall = { type: "functionCall", name: toolCall.name, params: toolCall.args, result: undefined, ...(i === 0 ? { startsNewChunk: true } : {}) };
    response.push(call);
    pending.set(toolCall.id ?? `${index}:${i}`, call);
  }
  return { type: "model", response };
}

function unanswered(pending: Map<string, ChatModelFunctionCall>): MoAInputError {
  const ids = [...pending.keys()].join(", ");
  return new MoAInputError(`the tool call(s) ${ids} have no result: answer each tool call with a ToolMessage (same tool_call_id) before the next message`);
}

/** A tool result as the template shows it: JSON when it is JSON, else the text. */
function parseResult(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function textOf(message: BaseMessage, index: number): string {
  const { content } = message;
  if (typeof content === "string") return content;
  return content.map((part) => {
    if (part.type === "text" && typeof part.text === "string") return part.text;
    throw new MoAInputError(`message ${index} holds a "${String(part.type)}" part; local models read text only`);
  }).join("");
}
