import type { BaseMessage } from "@langchain/core/messages";

/** A message as `[type, text]`, for readable assertions on what a model was sent. */
export function brief(messages: readonly BaseMessage[]): Array<[string, string]> {
  return messages.map((m) => [m.getType(), m.text]);
}

/** The system text the default formatter injects, written out independently of the implementation. */
export function expectedReferenceText(instruction: string, references: readonly string[]): string {
  return `${instruction}\n\nCandidate responses:\n\n${references.map((r, i) => `${i + 1}. ${r}`).join("\n\n")}`;
}

/**
 * `conversation` in {@link brief} form as a call of a later layer or the aggregator receives it with the
 * default `referencePlacement` ("last_message"): `text` (e.g. {@link expectedReferenceText}) at the end of
 * the last message when it is the user's, after a blank line, else as a user message of its own.
 */
export function withReferencesAtEnd(conversation: ReadonlyArray<readonly [string, string]>, text: string): Array<[string, string]> {
  const copy = conversation.map(([type, content]): [string, string] => [type, content]);
  const last = copy.at(-1);
  if (last?.[0] !== "human") return [...copy, ["human", text]];
  return [...copy.slice(0, -1), ["human", `${last[1]}\n\n${text}`]];
}
