/**
 * The models to use when none are given: from the environment (MOA_PROPOSERS / MOA_AGGREGATOR, then the
 * cloud providers whose keys are set), else the models a local Ollama serves, else the embedded default
 * (a small model run in this process by llama.cpp), which is fetched only once the user agrees.
 */
import type { ModelInput } from "../../src/index.js";
import { modelList } from "./cli-args.js";
import { listOllamaModels, ollamaBaseUrl, type OllamaModel } from "./ollama-models.js";
import { embeddedDefault, type EmbeddedDefault } from "./embedded-models.js";

/** A default MoA and where it came from (shown at start). */
export interface DefaultModels {
  readonly proposers: ModelInput[];
  readonly aggregator: ModelInput[];
  /** E.g. `OPENAI_API_KEY`, `Ollama at http://127.0.0.1:11434`. */
  readonly source: string;
  /** Set for the embedded default: the files it needs and why nothing else was found. */
  readonly embedded?: EmbeddedDefault;
}

/** How long to wait for a local Ollama's model list, unless `MOA_OLLAMA_TIMEOUT_MS` says otherwise. */
export const OLLAMA_TIMEOUT_MS = 3_000;

/** How many local models (at most) propose; the largest of them aggregates. */
const MAX_LOCAL_PROPOSERS = 3;

/** Samples per layer when one model proposes alone (Self-MoA). */
const SELF_MOA_SAMPLES = 3;
const SAMPLING_TEMPERATURE = 0.7;

const OPENAI = { proposer: "openai:gpt-4o-mini", aggregator: "openai:gpt-4o" };
const GEMINI = { proposer: "google-genai:gemini-2.0-flash", aggregator: "google-genai:gemini-2.0-flash" };

const set = (env: NodeJS.ProcessEnv, name: string) => (env[name] ?? "").trim() !== "";

/** Picks the default models from `env`, asking the Ollama of `OLLAMA_HOST` only when no key is set. */
export async function discoverDefaultModels(env: NodeJS.ProcessEnv): Promise<DefaultModels> {
  const fromVariables = modelList(env.MOA_PROPOSERS, "MOA_PROPOSERS");
  if (fromVariables) {
    const aggregator = modelList(env.MOA_AGGREGATOR, "MOA_AGGREGATOR") ?? fromVariables.slice(0, 1);
    return { proposers: fromVariables, aggregator, source: "MOA_PROPOSERS" };
  }
  const cloud = cloudModels(env);
  if (cloud) return cloud;
  const baseUrl = ollamaBaseUrl(env.OLLAMA_HOST);
  const timeout = Number(env.MOA_OLLAMA_TIMEOUT_MS);
  const listing = await listOllamaModels(baseUrl, Number.isFinite(timeout) && timeout > 0 ? timeout : OLLAMA_TIMEOUT_MS);
  if (listing.ok && listing.models.length > 0) return localModels(listing.models, baseUrl);
  const ollama = listing.ok ? `the Ollama at ${baseUrl} has no chat model` : `no Ollama answered at ${baseUrl} (${listing.reason})`;
  return embeddedDefault(`no API key is set and ${ollama}`);
}

/** The MoA of the cloud providers whose keys are set, or undefined when none is. */
function cloudModels(env: NodeJS.ProcessEnv): DefaultModels | undefined {
  const providers = [
    ...(set(env, "OPENAI_API_KEY") ? [{ ...OPENAI, key: "OPENAI_API_KEY" }] : []),
    ...(set(env, "GOOGLE_API_KEY") || set(env, "GEMINI_API_KEY") ? [{ ...GEMINI, key: set(env, "GOOGLE_API_KEY") ? "GOOGLE_API_KEY" : "GEMINI_API_KEY" }] : []),
  ];
  if (providers.length === 0) return undefined;
  const samples = providers.length === 1 ? SELF_MOA_SAMPLES : 1;
  return {
    proposers: providers.map(({ proposer }) => ({ model: proposer, samples, temperature: SAMPLING_TEMPERATURE })),
    aggregator: providers.map(({ aggregator }) => aggregator),
    source: providers.map(({ key }) => key).join(" and "),
  };
}

/** The local MoA: up to three of the smallest models propose, the largest of them aggregates. */
function localModels(models: readonly OllamaModel[], baseUrl: string): DefaultModels {
  const chosen = models.slice(0, MAX_LOCAL_PROPOSERS);
  const spec = (name: string) => ({ model: `ollama:${name}`, baseUrl });
  const samples = chosen.length === 1 ? SELF_MOA_SAMPLES : 1;
  const largest = chosen.at(-1) ?? chosen[0];
  return {
    proposers: chosen.map(({ name }) => ({ ...spec(name), samples, temperature: SAMPLING_TEMPERATURE })),
    aggregator: largest ? [spec(largest.name)] : [],
    source: `the models of the Ollama at ${baseUrl}`,
  };
}
