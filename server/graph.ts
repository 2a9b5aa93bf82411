/**
 * The MoA served by LangGraph Server (see langgraph.json). Models come from the environment, with the
 * same defaults as the conversation example (MOA_PROPOSERS / MOA_AGGREGATOR, the providers whose keys
 * are set, or a local Ollama's models; MOA_PRICES prices them); a run may choose its own, for itself alone, through `configurable`
 * (moved into the run's context by app.ts) or `context`:
 * `{ proposers: ["openai:gpt-4o-mini", ...], aggregator: "openai:gpt-4o", layers: 2 }`.
 *
 * A run may name models only as `"provider:model"` strings: a spec object could carry a `baseURL` and
 * send the server's API keys to a host of the caller's choosing.
 */
import { Annotation, type LangGraphRunnableConfig, type StateType } from "@langchain/langgraph";
import { compileMixtureOfAgents } from "../src/graph/build.js";
import type { MixtureOfAgentsOptions } from "../src/index.js";
import { parseWith, servedConfigSchema, type ServedConfig } from "../src/state/options-schema.js";
import { readModelPrices, withModelPrices } from "../examples/conversation/model-prices.js";
import { serverDefaultModels } from "./default-models.js";
import { MOVED_CHOICE_KEY } from "./run-choice.js";

/**
 * The served graph's config schema, as LangGraph Server shows it for the assistant: the fields of
 * {@link servedConfigSchema}, which validates them. An Annotation because the server reads it from the
 * graph's types, next to the state's; a zod schema would be read at run time, and the server would then
 * report no input or state schema.
 */
const ServedConfigAnnotation = Annotation.Root({
  /** The proposer models, as "provider:model" strings, e.g. ["openai:gpt-4o-mini", "ollama:llama3.1"]. Default: the server's. */
  proposers: Annotation<string[]>,
  /** The model that writes the final answer, or a list tried in order, as "provider:model" strings. Default: the first proposer when proposers are given, else the server's. */
  aggregator: Annotation<string | string[]>,
  /** Number of proposer layers, >= 1. Default 1. */
  layers: Annotation<number>,
  /** The reference implementation's name for layers - 1, >= 0. */
  rounds: Annotation<number>,
  /** When the proposers run in an agent loop: "user_turn" (on a new user message; after tool results the aggregator continues alone; the default) or "every_call". */
  proposeOn: Annotation<"user_turn" | "every_call">,
});

// The published fields must be the validated ones (a compile error here when they drift apart).
type Published = StateType<typeof ServedConfigAnnotation.spec>;
const _sameFields: [Published, Required<ServedConfig>] extends [Required<ServedConfig>, Published] ? true : never = true;

/** Compiled graphs kept for the model choices used most recently (their models are created once). */
const MAX_CACHED_GRAPHS = 32;
const graphs = new Map<string, ReturnType<typeof compileServed>>();

function compileServed(options: MixtureOfAgentsOptions) {
  return compileMixtureOfAgents(options, { configSchema: ServedConfigAnnotation }, {});
}

/** What LangGraph Server passes the graph factory next to the config: why it builds the graph, and a run's context. */
export interface FactoryRuntime {
  /** `"threads.create_run"` for a run; reads of a thread's state and of schemas give other values. */
  accessContext?: string;
  executionRuntime?: { context?: unknown } | null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * The model choice for a run: the assistant's `configurable` (kept on its threads by the server, and meant
 * to last), then the run's own `configurable` (moved into its context by app.ts), then the run's context.
 * @throws MoAConfigError naming the first wrong field, as `configurable.<field>` or `context.<field>`.
 */
function runChoice(config: LangGraphRunnableConfig, runtime: FactoryRuntime | undefined): ServedConfig {
  const context = record(runtime?.executionRuntime?.context);
  const { [MOVED_CHOICE_KEY]: moved, ...ownContext } = context;
  return {
    ...parseWith(servedConfigSchema, config.configurable ?? {}, "configurable"),
    ...parseWith(servedConfigSchema, record(moved), "configurable"),
    ...parseWith(servedConfigSchema, ownContext, "context"),
  };
}

/**
 * The graph factory LangGraph Server calls for each run, and for reading a thread's state and the
 * assistant's schemas. A run builds the graph of its model choice; a read, which runs no model, builds it
 * from what is valid of the stored config, so that no run's choice can make a thread unreadable.
 */
export async function moa(config: LangGraphRunnableConfig, runtime?: FactoryRuntime) {
  const served =
    runtime?.accessContext === "threads.create_run"
      ? runChoice(config, runtime)
      : (servedConfigSchema.safeParse(config.configurable ?? {}).data ?? {});
  const { proposers, layers, rounds, proposeOn } = served;
  // As in the conversation example: named proposers without an aggregator are aggregated by the first.
  const aggregator = served.aggregator ?? proposers?.slice(0, 1);
  const fallback = proposers && aggregator ? undefined : await serverDefaultModels();
  const prices = readModelPrices(process.env);
  const options: MixtureOfAgentsOptions = {
    proposers: withModelPrices(proposers ?? fallback?.proposers ?? [], prices),
    aggregator: withModelPrices(typeof aggregator === "string" ? [aggregator] : (aggregator ?? fallback?.aggregator ?? []), prices),
    ...(layers !== undefined ? { layers } : {}),
    ...(rounds !== undefined ? { rounds } : {}),
    ...(proposeOn !== undefined ? { proposeOn } : {}),
  };
  const key = JSON.stringify([options.proposers, options.aggregator, layers, rounds, proposeOn]);
  let graph = graphs.get(key);
  if (graph === undefined) {
    graph = compileServed(options);
    if (graphs.size >= MAX_CACHED_GRAPHS) graphs.delete(graphs.keys().next().value as string);
  } else {
    graphs.delete(key); // re-inserted below as the most recently used
  }
  graphs.set(key, graph);
  return graph;
}
