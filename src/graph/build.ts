import { END, START, StateGraph, type BaseCheckpointSaver, type StateDefinition, type StateDefinitionInit } from "@langchain/langgraph";
import { createAggregateNode } from "../nodes/aggregate.js";
import { createJoinNode } from "../nodes/join.js";
import { createProposeNode } from "../nodes/propose.js";
import { newTurnFields } from "../nodes/start-turn.js";
import { resolveOptions, type MixtureOfAgentsOptions, type ResolvedMoAOptions } from "../state/options.js";
import { MoAStateAnnotation } from "../state/state.js";
import { asMoAGraph } from "./moa-graph.js";
import { withRollback } from "./rollback-graph.js";
import { routeAfterJoin, routeTurnStart } from "./routing.js";
import { formatReferences } from "../prompts/format-references.js";
import { NodeRunnable } from "./node-runnable.js";
import { sharingStepSignal } from "./shared-step-signal.js";

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
 * `START -> (Send x N) propose -> join -> { propose | aggregate } -> END`. The edge from `START` checks the
 * turn before any call, and a new turn's input also resets the per-turn fields ({@link newTurnFields}).
 * Compile it with your own options (checkpointer, interrupts) and run it or add it to a graph of yours as
 * a node. A turn takes `2 * layers + 1` steps; its `compile()` gives a graph whose runs get the recursion
 * limit that fits (`2 * layers + 5`, or the run's own limit when that is higher), also as a subgraph.
 * Throws a `MoAConfigError` when the options are invalid.
 */
export function buildMixtureOfAgents<Config extends StateDefinitionInit = StateDefinition>(options: MixtureOfAgentsOptions, settings: BuildSettings<Config> = {}) {
  return buildFitted(resolveOptions(options), settings);
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
 * Builds and compiles the graph, with a recursion limit that fits its number of layers ({@link asMoAGraph});
 * on a thread of its own checkpointer a turn that fails or is aborted leaves the thread as it was
 * ({@link withRollback}).
 */
export function compileMixtureOfAgents<Config extends StateDefinitionInit = StateDefinition>(options: MixtureOfAgentsOptions, settings: BuildSettings<Config>, compile: CompileSettings) {
  return compileResolvedMixture(resolveOptions(options), settings, compile);
}

/** {@link compileMixtureOfAgents} for options already resolved. */
export function compileResolvedMixture<Config extends StateDefinitionInit = StateDefinition>(resolved: ResolvedMoAOptions, settings: BuildSettings<Config>, compile: CompileSettings) {
  return withRollback(buildFitted(resolved, settings).compile({
    checkpointer: compile.checkpointer,
    name: compile.name ?? "mixture_of_agents",
  }));
}

/** The recursion limit a turn of `resolved` fits in: its `2 * layers + 1` steps, with a margin. */
function minRecursionLimit(resolved: ResolvedMoAOptions): number {
  return 2 * resolved.layers + 5;
}

/** The graph, whose `compile()` gives a graph whose runs get the recursion limit its layers fit ({@link asMoAGraph}). */
function buildFitted<Config extends StateDefinitionInit>(resolved: ResolvedMoAOptions, settings: BuildSettings<Config>) {
  const graph = buildGraph(resolved, settings);
  const compile = graph.compile.bind(graph);
  // Set on the instance rather than by a subclass: StateGraph's many type parameters stay the caller's.
  graph.compile = ((compileOptions) => asMoAGraph(compile(compileOptions), { minRecursionLimit: minRecursionLimit(resolved), newTurn: () => newTurnFields(resolved) })) as typeof graph.compile;
  return graph;
}

type MoAAnnotation = typeof MoAStateAnnotation;
type MoASpec = MoAAnnotation["spec"];

function buildGraph<Config extends StateDefinitionInit>(resolved: ResolvedMoAOptions, settings: BuildSettings<Config>) {
  const hidden = settings.hideModelCalls ?? false;
  const run = { inTaskContext: runsCallerCode(resolved) };
  // Spelled out: in generic code LangGraph's constructor overloads infer the config schema's type as any.
  return new StateGraph<MoAAnnotation, MoAAnnotation["State"], MoAAnnotation["Update"], typeof START, MoASpec, MoASpec, Config>(
    MoAStateAnnotation,
    settings.configSchema,
  )
    .addNode("propose", new NodeRunnable("propose", sharingStepSignal(createProposeNode(resolved, { hidden })), run))
    .addNode("join", new NodeRunnable("join", createJoinNode(resolved), run))
    .addNode("aggregate", new NodeRunnable("aggregate", createAggregateNode(resolved, { hidden }), run))
    .addConditionalEdges(START, (state, config) => routeTurnStart(resolved, state, config), ["propose", "aggregate"])
    .addEdge("propose", "join")
    .addConditionalEdges("join", (state) => routeAfterJoin(resolved, state), ["propose", "aggregate"])
    .addEdge("aggregate", END);
}

/** Whether the nodes run a caller's own code (a custom `formatReferences` or `similarity`), which may read the ambient config. */
function runsCallerCode(resolved: ResolvedMoAOptions): boolean {
  return resolved.format !== formatReferences || typeof resolved.similarity !== "string";
}
