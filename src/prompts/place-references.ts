import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { injectSystemText } from "./inject-system-text.js";

/**
 * Where the instruction and references go in the requests of layers after the first and of the aggregator.
 *
 * - `"last_message"`: after the conversation, at the end of the user's last message (or, when the
 *   conversation ends with tool results, in a user message after them). Every call of a turn then
 *   starts with the same messages, and so does every call of the next turn: providers that cache the
 *   longest prefix they have seen (OpenAI's and Gemini's automatic caching, Anthropic's cache points,
 *   the KV cache of Ollama, llama.cpp and vLLM) read the conversation from their cache. Roles keep
 *   alternating, so strict chat templates accept it.
 * - `"system_message"`: appended to the leading system message (a new one when there is none), as
 *   the MoA paper's reference implementation does. Every call after layer 1 then starts differently
 *   from the calls before it, and its provider reads the whole conversation again.
 */
export type ReferencePlacement = (typeof REFERENCE_PLACEMENTS)[number];

/** The placements {@link ReferencePlacement} allows. */
export const REFERENCE_PLACEMENTS = ["last_message", "system_message"] as const;

/** What a call adds to the conversation it is given. */
export interface CallAdditions {
  /** The model's own system prompt, put before the caller's system text. */
  readonly system?: string;
  /** Text put after the caller's system text that is the same for every call of a turn (the tools' description). */
  readonly systemSuffix?: string;
  /** The instruction and references, when the call has any. */
  readonly references?: string;
}

/**
 * The conversation as one model is asked it: its own system prompt and the turn's fixed system text
 * around the caller's system message, and the references placed as `placement` says. The caller's
 * messages are never changed or dropped; a message that gets text is a new copy.
 */
export function withReferences(messages: readonly BaseMessage[], additions: CallAdditions, placement: ReferencePlacement): BaseMessage[] {
  const { system, systemSuffix, references } = additions;
  if (placement === "system_message" || !references) {
    const suffix = [systemSuffix, references].filter((part) => part !== undefined && part !== "").join("\n\n");
    return injectSystemText(messages, { prefix: system, suffix });
  }
  return appendToLastUserMessage(injectSystemText(messages, { prefix: system, suffix: systemSuffix }), references);
}

/** `messages` with `text` at the end of the last message when it is the user's, else in a user message of its own. */
function appendToLastUserMessage(messages: BaseMessage[], text: string): BaseMessage[] {
  const last = messages.at(-1);
  if (last === undefined || !HumanMessage.isInstance(last)) return [...messages, new HumanMessage(text)];
  const content = typeof last.content === "string" ? `${last.content}\n\n${text}` : [...last.content, { type: "text" as const, text }];
  const copy = new HumanMessage({ content, id: last.id, name: last.name, additional_kwargs: last.additional_kwargs, response_metadata: last.response_metadata });
  return [...messages.slice(0, -1), copy];
}
