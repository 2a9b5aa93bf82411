import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { ANSWER_FORMAT_KEY, type AnswerFormat } from "../state/answer-format.js";

/** The turn's answer format: the caller's (the chat model's `bindTools`, `withStructuredOutput`, `stop`), else the options'. */
export function answerFormatOf(config: LangGraphRunnableConfig, fromOptions?: AnswerFormat): AnswerFormat | undefined {
  return (config.configurable?.[ANSWER_FORMAT_KEY] as AnswerFormat | undefined) ?? fromOptions;
}
