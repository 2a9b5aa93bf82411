import { END, START, StateGraph, type BaseCheckpointSaver, type StateDefinition, type StateDefinitionInit } from "@langchain/langgraph";
import { createAggregateNode } from "../nodes/aggregate.js";
import { createJoinNode } from "../nodes/join.js";
import { createPrepareNode } from "../nodes/prepare.js";
import { createProposeNode } from "../nodes/propose.js";
import { resolveOptions, type MixtureOfAgentsOptions, type ResolvedMoAOptions } from "../state/options.js";
import { withRollback } from "./rollback-graph.js";
import { routeAfterJoin, routeAfterPrepare } from "./routing.js";
import { MoAStateAnnotation } from "../state/state.js";

/** Settings of the graph that are not part of the MoA options. */
export interface BuildSettings<Config extends StateDefinitionInit = StateDefinition> {
  /** Tag every model call `nostream`, so LangGraph's `messages` stream leaves them out. */
  readonly hideModelCalls?: boolean;
  /**
   * LangGraph's config schema (`new StateGraph(state, configSchema)`): the `configurable` fields a run may
   * set, shown by LangGraph Server as the assistant's config schema. The server reads an `Annotation.Root`
   * from the graph's types (with its fields' TSDoc); a zod object it reads at run time instead, and then
   * reports no input or state schema (the MoA's state is an Annotation).
   */
  readonly configSchema?: Config;
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
export function buildMixtureOfAgents<Config extends StateDefinitionInit = StateDefinition>(options: MixtureOfAgentsOptions, settings: BuildSettings<Config> = {}) {
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
export function compileMixtureOfAgents<Config extends StateDefinitionInit = StateDefinition>(options: MixtureOfAgentsOptions, settings: BuildSettings<Config>, compile: CompileSettings) {
  return compileResolvedMixture(resolveOptions(options), settings, compile);
}

/** {@link compileMixtureOfAgents} for options already resolved. */
export function compileResolvedMixture<Config extends StateDefinitionInit = StateDefinition>(resolved: ResolvedMoAOptions, settings: BuildSettings<Config>, compile: CompileSettings) {
  const graph = withRollback(buildGraph(resolved, settings).compile({
    checkpointer: compile.checkpointer,
    name: compile.name ?? "mixture_of_agents",
  }));
  // LangGraph's default limit (25 steps) would stop a turn of 12 or more layers.
  return graph.withConfig({ recursionLimit: Math.max(25, 2 * resolved.layers + 5) });
}

type MoAAnnotation = typeof MoAStateAnnotation;
type MoASpec = MoAAnnotation["spec"];

function buildGraph<Config extends StateDefinitionInit>(resolved: ResolvedMoAOptions, settings: BuildSettings<Config>) {
  const hidden = settings.hideModelCalls ?? false;
  // Spelled out: in generic code LangGraph's constructor overloads infer the config schema's type as any.
  return new StateGraph<MoAAnnotation, MoAAnnotation["State"], MoAAnnotation["Update"], typeof START, MoASpec, MoASpec, Config>(
    MoAStateAnnotation,
    settings.configSchema,
  )
    .addNode("prepare", createPrepareNode(resolved))
    .addNode("propose", createProposeNode(resolved, { hidden }))
    .addNode("join", createJoinNode(resolved))
    .addNode("aggregate", createAggregateNode(resolved, { hidden }))
    .addEdge(START, "prepare")
    .addConditionalEdges("prepare", (state) => routeAfterPrepare(resolved, state), ["propose", "aggregate"])
    .addEdge("propose", "join")
    .addConditionalEdges("join", (state) => routeAfterJoin(resolved, state), ["propose", "aggregate"])
    .addEdge("aggregate", END);
}
