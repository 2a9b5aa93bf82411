import { Send, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { referencesToContinue } from "../nodes/continue-references.js";
import type { ProposeTask } from "../nodes/propose.js";
import { checkTurn } from "../nodes/start-turn.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { MoAState } from "../state/state.js";

/** Sends one `propose` task per proposer for the next layer, in proposer order. */
export function fanOutLayer(options: ResolvedMoAOptions, state: MoAState): Send[] {
  const layer = state.trace.layers.length + 1;
  return options.proposers.map(
    (slot) =>
      new Send<"propose", ProposeTask>("propose", {
        index: slot.index,
        layer,
        messages: state.messages,
        references: state.references,
        turnId: state.turnId,
        deadline: state.deadline,
      }),
  );
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
