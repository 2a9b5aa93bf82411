import type { BaseMessage } from "@langchain/core/messages";

/** A message as `[type, text]`, for readable assertions on what a model was sent. */
export function brief(messages: readonly BaseMessage[]): Array<[string, string]> {
  return messages.map((m) => [m.getType(), m.text]);
}

/** The system text the default formatter injects, written out independently of the implementation. */
export function expectedReferenceText(instruction: string, references: readonly string[]): string {
  return `${instruction}\n\nCandidate responses:\n\n${references.map((r, i) => `${i + 1}. ${r}`).join("\n\n")}`;
}
