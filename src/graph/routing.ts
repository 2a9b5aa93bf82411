import { Send } from "@langchain/langgraph";
import type { ProposeTask } from "../nodes/propose.js";
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

/** After `join`: the next proposer layer, or `aggregate` once every layer is done. */
export function routeAfterJoin(options: ResolvedMoAOptions, state: MoAState): Send[] | "aggregate" {
  return state.trace.layers.length < options.layers ? fanOutLayer(options, state) : "aggregate";
}

/** After `prepare`: the first proposer layer, or straight to `aggregate` when the turn continues an agent loop. */
export function routeAfterPrepare(options: ResolvedMoAOptions, state: MoAState): Send[] | "aggregate" {
  return state.trace.continued === true ? "aggregate" : fanOutLayer(options, state);
}
