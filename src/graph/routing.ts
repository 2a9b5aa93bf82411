import { Send, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { referencesToContinue } from "../nodes/continue-references.js";
import type { ProposeTask } from "../nodes/propose.js";
import { isLastingKind } from "../models/error-kind.js";
import type { CallError } from "../state/call-error.js";
import { checkTurn } from "../nodes/start-turn.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { MoAState } from "../state/state.js";

/**
 * Sends one `propose` task per proposer for the next layer, in proposer order, each with the lasting error
 * its proposer failed with in an earlier layer of the turn, if any (read from the turn's proposals, so
 * that a turn resumed in another process knows it too).
 */
export function fanOutLayer(options: ResolvedMoAOptions, state: MoAState): Send[] {
  const layer = state.trace.layers.length + 1;
  const lasting = lastingFailures(state);
  return options.proposers.map((slot) => {
    const lastingFailure = lasting.get(slot.index);
    return new Send<"propose", ProposeTask>("propose", {
      index: slot.index,
      layer,
      messages: state.messages,
      references: state.references,
      turnId: state.turnId,
      deadline: state.deadline,
      ...(lastingFailure ? { lastingFailure } : {}),
    });
  });
}

/** The first lasting error of each proposer (by index) among the turn's proposals so far; a straggler's is not one. */
function lastingFailures(state: MoAState): Map<number, CallError> {
  const found = new Map<number, CallError>();
  if (state.trace.layers.length === 0) return found;
  for (const proposal of state.proposals) {
    const { error } = proposal;
    if (error && !proposal.straggler && isLastingKind(error.kind) && !found.has(proposal.index)) found.set(proposal.index, error);
  }
  return found;
}

/** After `join`: the next proposer layer, or `aggregate` once every layer is done or a layer's proposals agreed (`earlyExit`). */
export function routeAfterJoin(options: ResolvedMoAOptions, state: MoAState): Send[] | "aggregate" {
  return state.trace.layers.length < options.layers && state.trace.earlyExit === undefined ? fanOutLayer(options, state) : "aggregate";
}

/**
 * The turn's first step, taken with its input: checks the turn ({@link checkTurn}), then sends the first
 * proposer layer, or goes straight to `aggregate` when `proposeOn: "user_turn"` and the conversation ends
 * with tool results an earlier MoA answer asked for (the agent loop continues from its references).
 */
export async function routeTurnStart(options: ResolvedMoAOptions, state: MoAState, config: LangGraphRunnableConfig): Promise<Send[] | "aggregate"> {
  await checkTurn(options, state.messages, config);
  const continues = options.proposeOn === "user_turn" && referencesToContinue(state.messages) !== undefined;
  return continues ? "aggregate" : fanOutLayer(options, state);
}
