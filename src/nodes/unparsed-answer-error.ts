import type { AIMessage } from "@langchain/core/messages";
import { OutputParserException } from "@langchain/core/output_parsers";
import { finishReasonIn, stoppedAtTokenLimit } from "../models/answer-end.js";

/** How much of an answer the error's message shows, in characters (the exception's `llmOutput` holds it whole). */
const SHOWN_CHARS = 300;

/**
 * The `OutputParserException` of an aggregator's answer that does not parse as the structured output
 * asked for: it names the aggregator, shows what it answered (its tool calls with their arguments, those
 * whose arguments are not even JSON included, or its text) and the finish reason when the answer did not
 * end normally. `llmOutput` holds the whole answer.
 */
export function unparsedAnswerError(aggregator: string, message: AIMessage): OutputParserException {
  const calls = [
    ...(message.tool_calls ?? []).map((call) => `${call.name}(${JSON.stringify(call.args)})`),
    ...(message.invalid_tool_calls ?? []).map((call) => `${call.name ?? "?"}(${call.args ?? ""})`),
  ];
  const given = calls.length > 0 ? calls.join(", ") : message.text;
  const shown = given === "" ? "(no text)" : given.length > SHOWN_CHARS ? `${given.slice(0, SHOWN_CHARS)}…` : given;
  const reason = finishReasonIn(message.response_metadata);
  const ended = reason === undefined ? "" : stoppedAtTokenLimit(reason) ? ` (finish reason "${reason}": it stopped at its token limit; raise its maxTokens)` : ` (finish reason "${reason}")`;
  return new OutputParserException(`The aggregator ${aggregator} answered what does not fit the structured output's schema: ${shown}${ended}`, given);
}
