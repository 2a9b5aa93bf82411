import { END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { createAggregateNode } from "../nodes/aggregate.js";
import { createJoinNode } from "../nodes/join.js";
import { createPrepareNode } from "../nodes/prepare.js";
import { createProposeNode } from "../nodes/propose.js";
import { resolveOptions, type MixtureOfAgentsOptions, type ResolvedMoAOptions } from "../state/options.js";
import { withRollback } from "./rollback-graph.js";
import { fanOutLayer, routeAfterJoin } from "./routing.js";
import { MoAStateAnnotation } from "../state/state.js";

/** Settings of the graph that are not part of the MoA options. */
export interface BuildSettings {
  /** Tag every model call `nostream`, so LangGraph's `messages` stream leaves them out. */
  readonly hideModelCalls?: boolean;
}

/** How the graph is compiled: LangGraph's checkpointer (`false`: never, even as a subgraph) and name. */
export interface CompileSettings {
  readonly checkpointer?: BaseCheckpointSaver | boolean;
  readonly name?: string;
}

/**
 * Builds the MoA as an uncompiled LangGraph `StateGraph`:
 * `START -> prepare -> (Send x N) propose -> join -> { propose | aggregate } -> END`.
 * Use it as a subgraph or compile it with your own options (checkpointer, interrupts). A turn takes
 * `2 * layers + 2` steps: beyond 11 layers, pass a `recursionLimit` above that when you invoke it.
 * Throws a `MoAConfigError` when the options are invalid.
 */
export function buildMixtureOfAgents(options: MixtureOfAgentsOptions, settings: BuildSettings = {}) {
  return buildGraph(resolveOptions(options), settings);
}

/**
 * Creates the MoA as a compiled LangGraph graph: a Runnable with `invoke`, `stream`, `batch` and `pipe`.
 * Input and output are the graph state; `state.messages.at(-1)` is the answer.
 * Throws a `MoAConfigError` when the options are invalid.
 */
export function createMixtureOfAgents(options: MixtureOfAgentsOptions) {
  return compileMixtureOfAgents(options, {}, { checkpointer: options?.checkpointer, name: options?.name });
}

/** The compiled MoA graph returned by {@link createMixtureOfAgents}. */
export type MixtureOfAgentsGraph = ReturnType<typeof createMixtureOfAgents>;

/**
 * Builds and compiles the graph, with a recursion limit that fits its number of layers; on a thread of its
 * own checkpointer a turn that fails or is aborted leaves the thread as it was ({@link withRollback}).
 */
export function compileMixtureOfAgents(options: MixtureOfAgentsOptions, settings: BuildSettings, compile: CompileSettings) {
  const resolved = resolveOptions(options);
  const graph = withRollback(buildGraph(resolved, settings).compile({
    checkpointer: compile.checkpointer,
    name: compile.name ?? "mixture_of_agents",
  }));
  // LangGraph's default limit (25 steps) would stop a turn of 12 or more layers.
  return graph.withConfig({ recursionLimit: Math.max(25, 2 * resolved.layers + 5) });
}

function buildGraph(resolved: ResolvedMoAOptions, settings: BuildSettings) {
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
