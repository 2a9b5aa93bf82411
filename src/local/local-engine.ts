import { availableParallelism } from "node:os";
import type { ChatWrapper, Llama, LlamaModel } from "node-llama-cpp";
import { MoAConfigError } from "../errors.js";
import { loadNodeLlamaCpp, type NodeLlamaCpp } from "./node-llama-cpp-module.js";
import { resolveModelPath, type DownloadProgress } from "./model-files.js";
import { SequencePool } from "./sequence-pool.js";
import { SharedTasks } from "./shared-task.js";

/** Which GPU backend llama.cpp uses: `"auto"` (the default) picks one that works, `false` runs on the CPU. */
export type LocalGpu = "auto" | false | "cuda" | "vulkan" | "metal";

/** How a local model file is found, loaded and given contexts. */
export interface LocalEngineSettings {
  /** A `.gguf` path, an `https://` URL, or an `hf:<user>/<repo>:<quant>` / `hf:<user>/<repo>/<file>.gguf` URI. */
  readonly model: string;
  /** Where downloaded models are kept; default `MOA_MODELS_DIR`, else a per-user cache directory. */
  readonly modelsDir?: string;
  readonly gpu: LocalGpu;
  /** Layers offloaded to the GPU: a count, `"auto"` or `"max"`. */
  readonly gpuLayers?: number | "auto" | "max";
  /** Tokens each sequence holds (prompt and answer); default the model's training context, at most 8,192. */
  readonly contextSize?: number;
  /** Calls that run at once on one context, whose tokens node-llama-cpp decodes together. */
  readonly sequences: number;
  /** CPU threads a context evaluates with. */
  readonly threads: number;
}

/** A loaded model ready for calls: its chat template, resolved once, and its pool of context sequences. */
export interface LocalEngine {
  readonly path: string;
  readonly llama: Llama;
  readonly model: LlamaModel;
  readonly chatWrapper: ChatWrapper;
  readonly pool: SequencePool;
}

/** The most tokens a sequence holds by default: a model's full training context costs memory for nothing. */
export const DEFAULT_MAX_CONTEXT = 8192;

/**
 * CPU threads by default: half the logical CPUs (about the physical cores), at least 1. llama.cpp slows
 * down sharply when its threads compete with other work for cores.
 */
export function defaultThreads(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

const llamas = new SharedTasks<Llama>();
const paths = new SharedTasks<string>();
const models = new SharedTasks<{ model: LlamaModel; chatWrapper: ChatWrapper }>();
const pools = new SharedTasks<SequencePool>();
/** The context size each loaded engine's calls hold, by the settings' model and context shape. */
const contextSizes = new Map<string, number>();

function shapeKey(settings: LocalEngineSettings): string {
  return [settings.modelsDir ?? "", settings.model, String(settings.gpu), String(settings.gpuLayers ?? "auto"), settings.contextSize ?? "", settings.sequences, settings.threads].join("\n");
}

/** The tokens a call of `settings` holds, once its engine is loaded (llama.cpp may round the size up). */
export function loadedContextSize(settings: LocalEngineSettings): number | undefined {
  return contextSizes.get(shapeKey(settings));
}

/**
 * The engine for `settings`: the model file fetched once (`hf:`/`https:` models; progress to `onProgress`),
 * loaded once per process and shared by every chat model that names it, and one context per context
 * shape whose sequences serve concurrent calls. Rejects with `signal.reason` when `signal` aborts; a
 * download or load several callers wait for stops only when all of them have aborted.
 */
export async function openLocalEngine(settings: LocalEngineSettings, signal?: AbortSignal, onProgress?: (progress: DownloadProgress) => void): Promise<LocalEngine> {
  const llamaCpp = await loadNodeLlamaCpp();
  const llama = await llamas.get(String(settings.gpu), () => startLlama(llamaCpp, settings.gpu), signal);
  const path = await paths.get(`${settings.modelsDir ?? ""}\n${settings.model}`, (taskSignal) => resolveModelPath(settings.model, {
    ...(settings.modelsDir !== undefined ? { directory: settings.modelsDir } : {}),
    signal: taskSignal,
    ...(onProgress ? { onProgress } : {}),
  }), signal);
  const modelKey = `${path}\n${String(settings.gpu)}\n${String(settings.gpuLayers ?? "auto")}`;
  const { model, chatWrapper } = await models.get(modelKey, async (taskSignal) => {
    const model = await llama.loadModel({ modelPath: path, ...(settings.gpuLayers !== undefined ? { gpuLayers: settings.gpuLayers } : {}), loadSignal: taskSignal });
    // Resolved once: resolving a chat template again on every call costs a large share of a short answer.
    return { model, chatWrapper: llamaCpp.resolveChatWrapper(model) };
  }, signal);
  const contextSize = settings.contextSize ?? Math.min(model.trainContextSize, DEFAULT_MAX_CONTEXT);
  const pool = await pools.get(`${modelKey}\n${contextSize}\n${settings.sequences}\n${settings.threads}`, async () => {
    const context = await model.createContext({ contextSize, sequences: settings.sequences, threads: settings.threads });
    return new SequencePool(context);
  }, signal);
  contextSizes.set(shapeKey(settings), pool.context.contextSize);
  return { path, llama, model, chatWrapper, pool };
}

/**
 * llama.cpp from node-llama-cpp's prebuilt binaries, never built from source (that would clone and
 * compile llama.cpp on the user's machine, from the network). Throws a {@link MoAConfigError} (option
 * `gpu`) when no prebuilt binary serves the backend asked for.
 */
async function startLlama(llamaCpp: NodeLlamaCpp, gpu: LocalGpu): Promise<Llama> {
  try {
    return await llamaCpp.getLlama({ gpu, build: "never", logLevel: llamaCpp.LlamaLogLevel.error });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new MoAConfigError("gpu", `llama.cpp cannot run with gpu: ${JSON.stringify(gpu)} here (${reason}); use "auto" or false (the CPU)`);
  }
}

/** How many model files this process holds loaded, and how many contexts they have (for tests and diagnostics). */
export function loadedCounts(): { readonly models: number; readonly contexts: number } {
  return { models: models.size, contexts: pools.size };
}

/**
 * Frees every local model of this process: its contexts, the models and the llama.cpp instances. Chat
 * models used afterwards load their model again. Call it when a long-running process is done with them.
 */
export async function unloadLocalModels(): Promise<void> {
  contextSizes.clear();
  for (const pool of pools.clear()) await pool.context.dispose();
  for (const { model } of models.clear()) await model.dispose();
  paths.clear();
  for (const llama of llamas.clear()) await llama.dispose();
}
