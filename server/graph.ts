/**
 * The MoA served by LangGraph Server (see langgraph.json). Models come from the environment, with the
 * same defaults as the conversation example (MOA_PROPOSERS / MOA_AGGREGATOR, the providers whose keys
 * are set, or a local Ollama's models); a run may choose its own through `configurable`:
 * `{ proposers: [...], aggregator: "...", layers: 2 }`.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { discoverDefaultModels, type DefaultModels } from "../examples/conversation/default-models.js";
import { createMixtureOfAgents, type MixtureOfAgentsOptions, type ModelInput } from "../src/index.js";

/** The `configurable` fields a run may set. */
export interface ServedOptions {
  proposers?: ModelInput[];
  aggregator?: ModelInput | ModelInput[];
  layers?: number;
  rounds?: number;
}

let defaults: Promise<DefaultModels> | undefined;
const graphs = new Map<string, ReturnType<typeof createMixtureOfAgents>>();

/** The graph factory LangGraph Server calls for each run (and for reading a thread's state). */
export async function moa(config: LangGraphRunnableConfig) {
  const { proposers, aggregator, layers, rounds } = (config.configurable ?? {}) as ServedOptions;
  const fallback = proposers && aggregator ? undefined : await (defaults ??= discoverDefaultModels(process.env));
  const options: MixtureOfAgentsOptions = {
    proposers: proposers ?? fallback?.proposers ?? [],
    aggregator: aggregator ?? fallback?.aggregator ?? [],
    ...(layers !== undefined ? { layers } : {}),
    ...(rounds !== undefined ? { rounds } : {}),
  };
  // One graph per model choice: its models are created once, not on every request.
  const key = JSON.stringify(options);
  let graph = graphs.get(key);
  if (graph === undefined) {
    graph = createMixtureOfAgents(options);
    graphs.set(key, graph);
  }
  return graph;
}

