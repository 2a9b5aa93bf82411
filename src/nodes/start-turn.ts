import { randomUUID } from "node:crypto";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import { Overwrite, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { MoAConfigError, MoAInputError } from "../errors.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import { createAllModels } from "../models/create-all-models.js";
import { outsideTurnContext } from "../models/outside-turn-context.js";
import { needsAggregator } from "../state/answer-format.js";
import { answerFormatOf } from "./answer-format-of.js";
import { checkAnswerFormat } from "./bind-answer-format.js";
import { checkContentSupport } from "./check-content-support.js";
import type { Proposal } from "../state/proposal.js";
import { EMPTY_TRACE, type MoAStateUpdate } from "../state/state.js";

/**
 * Checks that a turn can start, before any model is called: the conversation is not empty and ends
 * with the user's message, every model can be created, supports the conversation's content, and every
 * aggregator can answer in the turn's format (tools, structured output), so that a missing provider
 * package or an unsupported tool fails before any tokens are spent.
 * Throws `MoAInputError`, `MoAConfigError` or the model's own error.
 */
export async function checkTurn(options: ResolvedMoAOptions, messages: readonly BaseMessage[], config: LangGraphRunnableConfig): Promise<void> {
  if (messages.length === 0) {
    throw new MoAInputError("The conversation is empty: pass { messages: [new HumanMessage(\"…\")] } (at least one message).");
  }
  if (AIMessage.isInstance(messages[messages.length - 1])) {
    throw new MoAInputError("The conversation ends with an AI message: the last message must be the user's (a HumanMessage) for the MoA to answer it.");
  }
  const slots = [...options.proposers, ...options.aggregators];
  const created = slots.map((slot) => slot.peekModel());
  // Outside the turn's context: the first turn loads each provider's modules, and Node keeps the context a
  // module was imported in for as long as the module lives (the process). Later turns find them made.
  const models = created.every((model): model is BaseChatModel => model !== undefined) ? created : await outsideTurnContext(() => createAllModels(slots, options.redact));
  checkContentSupport(messages, slots, models);
  const format = answerFormatOf(config, options.answerFormat);
  if (options.aggregation === "vote" && needsAggregator(format)) {
    throw new MoAConfigError("aggregation", 'is "vote": the answer is a proposal\'s text, which cannot call tools nor be structured output; use an aggregator (aggregation "aggregator")');
  }
  checkAnswerFormat(models.slice(options.proposers.length), options.aggregators, format);
}

/**
 * The per-turn fields a new turn starts with, written together with the turn's input (so a checkpointed
 * thread starts each turn afresh without a step of its own): no proposals, references, trace or
 * structured response yet, a new turn id, and the turn's deadline (epoch ms) when `timeouts.turnMs` is set.
 */
export function newTurnFields(options: Pick<ResolvedMoAOptions, "timeouts">): MoAStateUpdate {
  const { turnMs } = options.timeouts;
  return {
    proposals: new Overwrite<Proposal[]>([]),
    references: [],
    trace: EMPTY_TRACE,
    structuredResponse: undefined,
    turnId: randomUUID(),
    deadline: turnMs === undefined ? null : Date.now() + turnMs,
  };
}
