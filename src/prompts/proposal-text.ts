import type { AIMessage } from "@langchain/core/messages";
import { blockReasonIn, finishReasonIn, stoppedAtTokenLimit } from "../models/answer-end.js";
import type { EmptyAnswer } from "../state/proposal.js";
import { splitInlineReasoning } from "./inline-reasoning.js";

/** What a proposer's answer gives the next step: the text of a reference, or why it gives none. */
export type ProposalText = { readonly text: string } | { readonly empty: EmptyAnswer };

/**
 * The text a proposer's answer contributes as a reference: its text content (`message.text`, which
 * already leaves out reasoning content blocks and `reasoning_content`) without inline reasoning
 * (see {@link splitInlineReasoning}). An answer with no text left (empty, whitespace, only tool
 * calls, only reasoning) is not a proposal: it gives `empty`, saying what it held instead.
 */
export function proposalText(message: AIMessage): ProposalText {
  const { answer, reasoning } = splitInlineReasoning(message.text);
  if (answer.trim() !== "") return { text: answer };
  const finishReason = finishReasonIn(message.response_metadata);
  const blockReason = blockReasonIn(message.response_metadata);
  const reason = hasToolCalls(message) ? "tool_calls_only" : (reasoning ?? "").trim() !== "" || hasSeparateReasoning(message) ? "reasoning_only" : "no_text";
  return { empty: { reason, ...(finishReason !== undefined ? { finishReason } : {}), ...(blockReason !== undefined ? { blockReason } : {}) } };
}

/** Finish reasons of an answer that ended normally (nothing worth telling). */
const NORMAL_END = new Set(["stop", "STOP", "end_turn", "tool_calls", "tool_use"]);

/** One line (without the model's name) saying what an empty answer held and, for a common cause, the fix. */
export function describeEmptyAnswer({ reason, finishReason, blockReason }: EmptyAnswer): string {
  const held = { no_text: "", tool_calls_only: ", only tool calls (a proposer advises in text: give it without tools bound)", reasoning_only: ", only reasoning" }[reason];
  const ended =
    finishReason === undefined || NORMAL_END.has(finishReason)
      ? ""
      : stoppedAtTokenLimit(finishReason)
        ? `; it stopped at its token limit (finish reason "${finishReason}"): raise its maxTokens`
        : `; finish reason "${finishReason}"`;
  const blocked = blockReason === undefined ? "" : `; the provider blocked the prompt (block reason "${blockReason}")`;
  return `answered no text${held}${ended}${blocked}`;
}

function hasToolCalls(message: AIMessage): boolean {
  return (message.tool_calls?.length ?? 0) > 0 || (message.invalid_tool_calls?.length ?? 0) > 0;
}

/** Reasoning the provider returned apart from the text: `reasoning_content`, reasoning blocks, or hidden reasoning tokens. */
function hasSeparateReasoning(message: AIMessage): boolean {
  const { reasoning_content: reasoningContent } = message.additional_kwargs as { reasoning_content?: unknown };
  if (typeof reasoningContent === "string" && reasoningContent.trim() !== "") return true;
  if ((message.usage_metadata?.output_token_details?.reasoning ?? 0) > 0) return true;
  const blocks = Array.isArray(message.content) ? message.content : [];
  if (blocks.some((block) => typeof block === "object" && block !== null && REASONING_BLOCKS.has(String(block.type)))) return true;
  try {
    return message.contentBlocks.some((block) => block.type === "reasoning");
  } catch {
    return false;
  }
}

/** Content block types of reasoning: LangChain's standard one and the providers' own (Anthropic, Gemini). */
const REASONING_BLOCKS = new Set(["reasoning", "thinking", "redacted_thinking"]);
