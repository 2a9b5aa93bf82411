import type { AIMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { AnswerReplay } from "../models/answer-replay.js";
import { runConfig } from "./call-model.js";

/** Where an answer that no aggregator wrote comes from, and whose proposal it is. */
export interface ReplayLabel {
  /** `vote` (`aggregation: "vote"`) or `agreement` (`earlyExit` with `skipAggregator`). */
  readonly source: "vote" | "agreement";
  /** The proposer id whose proposal is the answer, and its model's display name. */
  readonly proposer: string;
  readonly model: string;
  /** Hide the tokens from LangGraph's `messages` stream (the chat-model facade streams them itself). */
  readonly hidden?: boolean;
}

/**
 * Streams `text` as the turn's answer through {@link AnswerReplay}, under the node's `config` and
 * labelled as the aggregator's answer is (`moa:aggregator`, `moa_role: "aggregator"`), with
 * `moa_answer` saying where it comes from; no model is called.
 */
export function replayAnswer(text: string, config: RunnableConfig, label: ReplayLabel): Promise<AIMessage> {
  return new AnswerReplay(text).invoke(
    [],
    runConfig(config, { runName: `moa_${label.source}`, role: "aggregator", layer: "aggregate", proposer: label.proposer, model: label.model, hidden: label.hidden === true, metadata: { moa_answer: label.source } }),
  );
}
