import type { BaseChatModelParams } from "@langchain/core/language_models/chat_models";
import { z } from "zod";
import { atLeast, expected, parseWith } from "../state/options-schema.js";
import type { LocalGpu } from "./local-engine.js";
import type { DownloadProgress } from "./model-files.js";

/** The fields of {@link ChatNodeLlamaCpp}: the model, its sampling settings and the engine's. */
export interface ChatNodeLlamaCppFields extends BaseChatModelParams {
  /**
   * The model: a local `.gguf` path, an `https://` URL, or a Hugging Face URI as node-llama-cpp reads it,
   * `hf:<user>/<repo>:<quant>` or `hf:<user>/<repo>/<file>.gguf`. URLs and URIs are downloaded once
   * into {@link modelsDir}.
   */
  model: string;
  /** Sampling temperature; 0 (the default) picks the likeliest token every time. */
  temperature?: number;
  /** Upper bound on generated tokens; default none (until the model ends its answer or the context is full). */
  maxTokens?: number;
  /** Nucleus sampling: sample from the likeliest tokens whose probabilities add up to this (0-1). */
  topP?: number;
  /** Sample from the `topK` likeliest tokens only. */
  topK?: number;
  /** Drop tokens less likely than `minP` times the likeliest one (0-1). */
  minP?: number;
  /** The sampler's seed, for answers that repeat; default a new seed per call. */
  seed?: number;
  /** Stop sequences: the answer ends before the first of them. */
  stop?: string[];
  /** The same as {@link stop} (LangChain's standard field). */
  stopSequences?: string[];
  /** Tokens each call may hold, prompt and answer; default the model's training context, at most 8,192. */
  contextSize?: number;
  /**
   * Calls that run at once on one context (a layer's proposers, `samples`), whose tokens node-llama-cpp
   * decodes together; more wait for a free sequence. Each costs `contextSize` tokens of memory. Default 4.
   * On a CPU this shares the model's memory but saves no time (bench/REPORT.md, section 11).
   */
  sequences?: number;
  /** CPU threads; default half the logical CPUs, at least 1 (llama.cpp slows down when its threads compete for cores). */
  threads?: number;
  /** The GPU backend: `"auto"` (default) uses one when present, `false` runs on the CPU. Process-wide per value. */
  gpu?: LocalGpu;
  /** Model layers offloaded to the GPU: a count, `"auto"` (default) or `"max"`. */
  gpuLayers?: number | "auto" | "max";
  /** Where downloaded models are kept. Default `MOA_MODELS_DIR`, else a per-user cache directory. */
  modelsDir?: string;
  /** Called as a download progresses (bytes). Without it, a download shows a progress bar on a terminal's stderr. */
  onDownloadProgress?: (progress: DownloadProgress) => void;
}

const probability = (name: string) => z.number({ error: expected(`${name} between 0 and 1`) }).min(0, { error: expected(`${name} between 0 and 1`) }).max(1, { error: expected(`${name} between 0 and 1`) });
const stopList = z.array(z.string().min(1, { error: expected("a non-empty string") }), { error: expected("an array of non-empty strings") });

const fieldsSchema = z.looseObject({
  model: z.string({ error: expected('a .gguf path, an https:// URL or an "hf:<user>/<repo>:<quant>" URI') }).trim().min(1, { error: expected('a .gguf path, an https:// URL or an "hf:<user>/<repo>:<quant>" URI') }),
  temperature: atLeast(0).optional(),
  maxTokens: atLeast(1, { integer: true }).optional(),
  topP: probability("a number").optional(),
  topK: atLeast(1, { integer: true }).optional(),
  minP: probability("a number").optional(),
  seed: z.int({ error: expected("an integer") }).optional(),
  stop: stopList.optional(),
  stopSequences: stopList.optional(),
  contextSize: atLeast(64, { integer: true }).optional(),
  // llama.cpp's own bound on a context's sequences.
  sequences: atLeast(1, { integer: true }).max(256, { error: expected("an integer from 1 to 256") }).optional(),
  threads: atLeast(1, { integer: true }).optional(),
  gpu: z.union([z.literal(false), z.enum(["auto", "cuda", "vulkan", "metal"])], { error: expected('"auto", false, "cuda", "vulkan" or "metal"') }).optional(),
  gpuLayers: z.union([z.int().min(0, { error: expected('an integer >= 0, "auto" or "max"') }), z.enum(["auto", "max"])], { error: expected('an integer >= 0, "auto" or "max"') }).optional(),
  modelsDir: z.string().min(1, { error: expected("a directory path") }).optional(),
});

/** LangChain's own chat-model fields, which a `llama-cpp:` spec's `params` may carry too. */
const LANGCHAIN_FIELDS = ["callbacks", "callbackManager", "tags", "metadata", "verbose", "cache", "maxRetries", "maxConcurrency", "onFailedAttempt", "disableStreaming", "outputVersion"];

/** Every field {@link ChatNodeLlamaCpp} takes, LangChain's included (for refusing a misspelt one). */
export const CHAT_NODE_LLAMA_CPP_FIELDS: readonly string[] = [...Object.keys(fieldsSchema.shape), "onDownloadProgress", ...LANGCHAIN_FIELDS];

/** Checks the fields (which may come from untyped JavaScript); throws a `MoAConfigError` naming the field and what is valid. */
export function checkFields(fields: unknown): ChatNodeLlamaCppFields {
  return parseWith(fieldsSchema, fields) as ChatNodeLlamaCppFields;
}
