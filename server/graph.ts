/**
 * The MoA served by LangGraph Server (see langgraph.json). Models come from the environment, with the
 * same defaults as the conversation example (MOA_PROPOSERS / MOA_AGGREGATOR, the providers whose keys
 * are set, or a local Ollama's models); a run may choose its own through `configurable`:
 * `{ proposers: ["openai:gpt-4o-mini", ...], aggregator: "openai:gpt-4o", layers: 2 }`.
 *
 * A run may name models only as `"provider:model"` strings: a spec object could carry a `baseURL` and
 * send the server's API keys to a host of the caller's choosing.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { discoverDefaultModels, type DefaultModels } from "../examples/conversation/default-models.js";
import { MoAConfigError, createMixtureOfAgents, type MixtureOfAgentsOptions } from "../src/index.js";

/** The `configurable` fields a run may set. */
export interface ServedOptions {
  proposers?: string[];
  aggregator?: string | string[];
  layers?: number;
  rounds?: number;
}

/** Compiled graphs kept for the model choices used most recently (their models are created once). */
const MAX_CACHED_GRAPHS = 32;
const graphs = new Map<string, ReturnType<typeof createMixtureOfAgents>>();
let defaults: Promise<DefaultModels> | undefined;

/** The environment's default models, looked up once it succeeds (a failed lookup is tried again). */
function defaultModels(): Promise<DefaultModels> {
  defaults ??= discoverDefaultModels(process.env).catch((error: unknown) => {
    defaults = undefined;
    throw error;
  });
  return defaults;
}

function modelNames(value: unknown, option: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === "string")) {
    throw new MoAConfigError(`configurable.${option}`, 'expected "provider:model" strings (a run may not give model objects, which could carry a base URL or key)');
  }
  return list as string[];
}

/** The graph factory LangGraph Server calls for each run (and for reading a thread's state). */
export async function moa(config: LangGraphRunnableConfig) {
  const served = (config.configurable ?? {}) as Record<string, unknown>;
  const proposers = modelNames(served.proposers, "proposers");
  // As in the conversation example: named proposers without an aggregator are aggregated by the first.
  const aggregator = modelNames(served.aggregator, "aggregator") ?? proposers?.slice(0, 1);
  const fallback = proposers && aggregator ? undefined : await defaultModels();
  const options: MixtureOfAgentsOptions = {
    proposers: proposers ?? fallback?.proposers ?? [],
    aggregator: aggregator ?? fallback?.aggregator ?? [],
    ...(served.layers !== undefined ? { layers: served.layers as number } : {}),
    ...(served.rounds !== undefined ? { rounds: served.rounds as number } : {}),
  };
  const key = JSON.stringify([options.proposers, options.aggregator, options.layers, options.rounds]);
  let graph = graphs.get(key);
  if (graph === undefined) {
    graph = createMixtureOfAgents(options);
    if (graphs.size >= MAX_CACHED_GRAPHS) graphs.delete(graphs.keys().next().value as string);
  } else {
    graphs.delete(key); // re-inserted below as the most recently used
  }
  graphs.set(key, graph);
  return graph;
}
