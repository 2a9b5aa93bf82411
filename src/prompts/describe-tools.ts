import type { ToolSummary } from "../state/answer-format.js";

/**
 * The text that tells proposers which tools the aggregator can call: they cannot call tools themselves
 * (they are called without them), but their advice can name one and its arguments.
 */
export function describeTools(tools: readonly ToolSummary[]): string {
  const list = tools.map(({ name, description }) => `- ${name}${description ? `: ${description}` : ""}`);
  return [
    "The assistant that writes the final reply can call the tools below; you cannot call them yourself.",
    "If a tool would help, say which one to call and with which arguments, or answer directly when none is needed.",
    ...list,
  ].join("\n");
}
