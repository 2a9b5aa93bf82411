import { HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { getMoASummary } from "../state/answer-summary.js";
import { getMoATrace } from "../state/trace.js";

/**
 * The references an agent loop continues from when its conversation ends with tool results: those
 * kept on the latest MoA answer since the last user message (an answer that called tools keeps them
 * in its trace). `undefined` when the conversation ends otherwise, or no such answer is found (then
 * the proposers run).
 */
export function referencesToContinue(messages: readonly BaseMessage[]): readonly string[] | undefined {
  if (!ToolMessage.isInstance(messages.at(-1))) return undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as BaseMessage;
    if (HumanMessage.isInstance(message)) return undefined;
    const references = getMoASummary(message)?.references ?? getMoATrace(message)?.references;
    if (references !== undefined && references.length > 0) return references;
  }
  return undefined;
}
