import { SystemMessage, type BaseMessage, type MessageContent } from "@langchain/core/messages";

/** Text to add to a conversation's system message. */
export interface SystemAdditions {
  /** Put before the caller's system text (a model's own `system` prompt). */
  readonly prefix?: string;
  /** Put after the caller's system text (the instruction and references). */
  readonly suffix?: string;
}

/**
 * Returns the conversation with `prefix` and `suffix` added around its system message's text, or with a
 * new system message in front when the conversation has none. The caller's messages are never changed
 * or dropped.
 */
export function injectSystemText(messages: readonly BaseMessage[], { prefix, suffix }: SystemAdditions): BaseMessage[] {
  if (!prefix && !suffix) return [...messages];
  const [first, ...rest] = messages;
  if (first === undefined || !SystemMessage.isInstance(first)) {
    return [new SystemMessage(joinText([prefix, suffix])), ...messages];
  }
  return [new SystemMessage({ content: surround(first.content, prefix, suffix), id: first.id }), ...rest];
}

function joinText(parts: ReadonlyArray<string | undefined>): string {
  return parts.filter((part): part is string => part !== undefined && part !== "").join("\n\n");
}

function surround(content: MessageContent, prefix?: string, suffix?: string): MessageContent {
  if (typeof content === "string") return joinText([prefix, content, suffix]);
  return [
    ...(prefix ? [{ type: "text" as const, text: prefix }] : []),
    ...content,
    ...(suffix ? [{ type: "text" as const, text: suffix }] : []),
  ];
}
