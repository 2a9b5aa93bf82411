/**
 * What the user asked, read from a request that may also carry the MoA's instruction and references.
 *
 * With the default `referencePlacement` ("last_message"), calls of layers after the first and of the
 * aggregator get the instruction and references at the end of the user's last message (after a blank
 * line), or, when the conversation ends with tool results, as a user message of its own. Scripted models
 * that answer "the question" (e.g. `The answer to <question>`) read it with these helpers, so that they
 * answer the same whatever call of the turn they serve and wherever the references were put.
 */
import type { BaseMessage } from "@langchain/core/messages";
import { DEFAULT_AGGREGATOR_PROMPT } from "../../src/index.js";
import type { RecordedMessage, RecordedRequest } from "./protocol-server.js";

/**
 * `text` up to the first blank line followed by `instruction` (the instruction and references appended to
 * it); all of `text` when it has none; `undefined` when `text` is only the instruction and references.
 */
export function userQuestion(text: string, instruction: string = DEFAULT_AGGREGATOR_PROMPT): string | undefined {
  if (text.startsWith(instruction)) return undefined;
  const at = text.indexOf(`\n\n${instruction}`);
  return at === -1 ? text : text.slice(0, at);
}

/** The question of the last of `texts` (user messages' texts, in order) that is not only references; "" when none is. */
function lastQuestionOf(texts: readonly string[], instruction: string): string {
  for (let i = texts.length - 1; i >= 0; i--) {
    const question = userQuestion(texts[i] ?? "", instruction);
    if (question !== undefined) return question;
  }
  return "";
}

/**
 * `messages` as the caller sent them, without what the MoA added after the conversation (always to the
 * last message): a last user message that is only the instruction and references is dropped, and those
 * appended to the last user message are cut off it. E.g. to tell whether a request's conversation ends
 * with a tool result.
 */
export function withoutReferences(messages: readonly RecordedMessage[], instruction: string = DEFAULT_AGGREGATOR_PROMPT): RecordedMessage[] {
  const last = messages.at(-1);
  if (last?.role !== "user") return [...messages];
  const question = userQuestion(last.content, instruction);
  return question === undefined ? messages.slice(0, -1) : [...messages.slice(0, -1), { ...last, content: question }];
}

/** The user's last question in a request a protocol server recorded (see {@link userQuestion}). */
export function lastUserQuestion(request: Pick<RecordedRequest, "messages">, instruction: string = DEFAULT_AGGREGATOR_PROMPT): string {
  return lastQuestionOf(request.messages.filter((m) => m.role === "user").map((m) => m.content), instruction);
}

/** The user's last question in the messages a LangChain chat model was called with (see {@link userQuestion}). */
export function lastHumanQuestion(messages: readonly BaseMessage[], instruction: string = DEFAULT_AGGREGATOR_PROMPT): string {
  return lastQuestionOf(messages.filter((m) => m.getType() === "human").map((m) => m.text), instruction);
}
