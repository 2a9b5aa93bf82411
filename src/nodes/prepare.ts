import { randomUUID } from "node:crypto";
import { AIMessage } from "@langchain/core/messages";
import { Overwrite } from "@langchain/langgraph";
import { MoAInputError } from "../errors.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import { createAllModels } from "../models/create-all-models.js";
import { checkContentSupport } from "./check-content-support.js";
import type { Proposal } from "../state/proposal.js";
import { EMPTY_TRACE, type MoAState, type MoAStateUpdate } from "../state/state.js";

/**
 * The `prepare` node: checks that the conversation can be answered, makes sure every model can be
 * created (so a missing provider package fails before any tokens are spent), and resets the per-turn
 * fields so that a checkpointed thread starts each turn afresh.
 */
export function createPrepareNode(options: ResolvedMoAOptions) {
  return async function prepare(state: MoAState): Promise<MoAStateUpdate> {
    const { messages } = state;
    if (messages.length === 0) {
      throw new MoAInputError("The conversation is empty: pass { messages: [new HumanMessage(\"…\")] } (at least one message).");
    }
    const last = messages[messages.length - 1];
    if (AIMessage.isInstance(last)) {
      throw new MoAInputError("The conversation ends with an AI message: the last message must be the user's (a HumanMessage) for the MoA to answer it.");
    }
    const slots = [...options.proposers, ...options.aggregators];
    checkContentSupport(messages, slots, await createAllModels(slots, options.redact));
    const { turnMs } = options.timeouts;
    return {
      proposals: new Overwrite<Proposal[]>([]),
      references: [],
      trace: EMPTY_TRACE,
      turnId: randomUUID(),
      deadline: turnMs === undefined ? null : Date.now() + turnMs,
    };
  };
}
