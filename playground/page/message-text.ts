/** The text of a message as the LangGraph Server API gives it (a string, or content blocks). */
import type { Message } from "@langchain/langgraph-sdk";

/** The message's text blocks joined; other blocks (images) are left out. */
export function messageText(message: Pick<Message, "content">): string {
  const { content } = message;
  if (typeof content === "string") return content;
  return content.map((block) => (block.type === "text" ? block.text : "")).join("");
}
