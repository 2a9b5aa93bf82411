import { END, START, StateGraph } from "@langchain/langgraph";
import { createAggregateNode } from "../nodes/aggregate.js";
import { createJoinNode } from "../nodes/join.js";
import { createPrepareNode } from "../nodes/prepare.js";
import { createProposeNode } from "../nodes/propose.js";
import { resolveOptions, type MixtureOfAgentsOptions } from "./options.js";
import { fanOutLayer, routeAfterJoin } from "./routing.js";
import { MoAStateAnnotation } from "./state.js";

/** Settings of the graph that are not part of the MoA options. */
export interface BuildSettings {
  /** Tag every model call `nostream`, so LangGraph's `messages` stream leaves them out. */
  readonly hideModelCalls?: boolean;
}

/**
 * Builds the MoA as an uncompiled LangGraph `StateGraph`:
 * `START -> prepare -> (Send x N) propose -> join -> { propose | aggregate } -> END`.
 * Use it as a subgraph or compile it with your own options (checkpointer, interrupts).
 * Throws a `MoAConfigError` when the options are invalid.
 */
export function buildMixtureOfAgents(options: MixtureOfAgentsOptions, settings: BuildSettings = {}) {
  const resolved = resolveOptions(options);
  const hidden = settings.hideModelCalls ?? false;
  return new StateGraph(MoAStateAnnotation)
    .addNode("prepare", createPrepareNode(resolved))
    .addNode("propose", createProposeNode(resolved, { hidden }))
    .addNode("join", createJoinNode(resolved))
    .addNode("aggregate", createAggregateNode(resolved, { hidden }))
    .addEdge(START, "prepare")
    .addConditionalEdges("prepare", (state) => fanOutLayer(resolved, state), ["propose"])
    .addEdge("propose", "join")
    .addConditionalEdges("join", (state) => routeAfterJoin(resolved, state), ["propose", "aggregate"])
    .addEdge("aggregate", END);
}

/**
 * Creates the MoA as a compiled LangGraph graph: a Runnable with `invoke`, `stream`, `batch` and `pipe`.
 * Input and output are the graph state; `state.messages.at(-1)` is the answer.
 * Throws a `MoAConfigError` when the options are invalid.
 */
export function createMixtureOfAgents(options: MixtureOfAgentsOptions) {
  return buildMixtureOfAgents(options).compile({
    checkpointer: options.checkpointer,
    name: options.name ?? "mixture_of_agents",
  });
}

/** The compiled MoA graph returned by {@link createMixtureOfAgents}. */
export type MixtureOfAgentsGraph = ReturnType<typeof createMixtureOfAgents>;
