import { randomUUID } from "node:crypto";
import { AIMessage } from "@langchain/core/messages";
import { Overwrite, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { MoAInputError } from "../errors.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import { createAllModels } from "../models/create-all-models.js";
import { answerFormatOf } from "./answer-format-of.js";
import { checkAnswerFormat } from "./bind-answer-format.js";
import { checkContentSupport } from "./check-content-support.js";
import { referencesToContinue } from "./continue-references.js";
import type { Proposal } from "../state/proposal.js";
import { EMPTY_TRACE, type MoAState, type MoAStateUpdate } from "../state/state.js";

/**
 * The `prepare` node: checks that the conversation can be answered, makes sure every model can be
 * created and every aggregator can answer in the turn's format (tools, structured output), so that a
 * missing provider package or an unsupported tool fails before any tokens are spent, and resets the
 * per-turn fields so that a checkpointed thread starts each turn afresh. With `proposeOn: "user_turn"`,
 * a conversation that ends with tool results continues from the references of the step that called
 * the tools (the trace says `continued`), and the proposers do not run.
 */
export function createPrepareNode(options: ResolvedMoAOptions) {
  return async function prepare(state: MoAState, config: LangGraphRunnableConfig): Promise<MoAStateUpdate> {
    const { messages } = state;
    if (messages.length === 0) {
      throw new MoAInputError("The conversation is empty: pass { messages: [new HumanMessage(\"…\")] } (at least one message).");
    }
    const last = messages[messages.length - 1];
    if (AIMessage.isInstance(last)) {
      throw new MoAInputError("The conversation ends with an AI message: the last message must be the user's (a HumanMessage) for the MoA to answer it.");
    }
    const slots = [...options.proposers, ...options.aggregators];
    const models = await createAllModels(slots, options.redact);
    checkContentSupport(messages, slots, models);
    checkAnswerFormat(models.slice(options.proposers.length), options.aggregators, answerFormatOf(config, options.answerFormat));
    const continued = options.proposeOn === "user_turn" ? referencesToContinue(messages) : undefined;
    const { turnMs } = options.timeouts;
    return {
      proposals: new Overwrite<Proposal[]>([]),
      references: continued ? [...continued] : [],
      trace: continued ? { ...EMPTY_TRACE, continued: true } : EMPTY_TRACE,
      structuredResponse: undefined,
      turnId: randomUUID(),
      deadline: turnMs === undefined ? null : Date.now() + turnMs,
    };
  };
}
