import { buildChatVocabulary } from "./chat-vocabulary.js";
import { QWEN2_5_CHAT_TEMPLATE } from "./chatml-template.js";
import { ggufValue, writeGguf, type GgufValue } from "./gguf-writer.js";
import { qwen2Tensors, type Qwen2Shape } from "./qwen2-weights.js";

/** The shape and storage of a tiny model, as {@link writeTinyModel} takes them. */
export interface TinyModelShape extends Qwen2Shape {
  /** The context length the model declares it was trained with (`qwen2.context_length`). */
  readonly contextLength: number;
  /** How the weight matrices are stored: F32 for tiny test models, Q8_0 for realistic sizes (rows must then be multiples of 32). */
  readonly tensorType: "F32" | "Q8_0";
}

/** Options of {@link writeTinyModel}: a shape (any field left out comes from {@link TINY_TEST_MODEL}) and how to fill it. */
export interface TinyModelOptions extends Partial<TinyModelShape> {
  /** Seed of the random weights: the same options write the same bytes. Defaults to 1. */
  readonly seed?: number;
  /** `general.name`. Defaults to a name saying what the model is. */
  readonly name?: string;
  /**
   * Roughly the chance of `<|im_end|>` at each step, so that sampled answers last about 1/p tokens (0.01
   * gives 0.7-2% per step across shapes and temperatures 0.5-1). 0: answers run to `maxTokens`. Defaults to 0.01.
   */
  readonly endOfTurnProbability?: number;
}

/** What {@link writeTinyModel} wrote. */
export interface TinyModel {
  /** Where the model is. */
  readonly path: string;
  /** The file's size in bytes. */
  readonly bytes: number;
  /** The shape it was written with. */
  readonly shape: TinyModelShape;
  /** Tokens learnt by the BPE (256 bytes plus merges); the ChatML tokens come next, then fillers up to the vocabulary size. */
  readonly trainedTokens: number;
  /** BPE merges learnt. */
  readonly merges: number;
  /** Ids of the ChatML tokens (`<|im_end|>` is end-of-sequence; `<|endoftext|>` is beginning-of-sequence and padding, as in Qwen2.5). */
  readonly tokenIds: { readonly endOfText: number; readonly imStart: number; readonly imEnd: number; readonly toolCallStart: number; readonly toolCallEnd: number };
}

/** A model for tests: a few hundred KB, written in a fraction of a second, fast enough to sample from on any CPU. */
export const TINY_TEST_MODEL: TinyModelShape = {
  layers: 2,
  embeddingLength: 64,
  headCount: 4,
  headCountKv: 2,
  feedForwardLength: 128,
  contextLength: 4096,
  vocabularySize: 1024,
  tiedOutput: true,
  tensorType: "F32",
};

/** Qwen2.5-0.5B-Instruct's shape (tied output, 32k context) in Q8_0: the same work per token as the real model, for benchmarks. */
export const QWEN2_5_0_5B_MODEL: TinyModelShape = {
  layers: 24,
  embeddingLength: 896,
  headCount: 14,
  headCountKv: 2,
  feedForwardLength: 4864,
  contextLength: 32768,
  vocabularySize: 151936,
  tiedOutput: true,
  tensorType: "Q8_0",
};

const FILE_TYPE = { F32: 0, Q8_0: 7 } as const; // llama_ftype: ALL_F32, MOSTLY_Q8_0

/**
 * Writes a random-weight Qwen2 chat model (GGUF, architecture `qwen2`) that llama.cpp loads and runs as
 * it would a real one: a byte-level BPE vocabulary learnt from a built-in English text, the ChatML
 * tokens, Qwen2.5's chat template (with tool calling), and weights shaped so that sampling gives varied
 * English words rather than nothing (see `qwen2Tensors`). Greedy decoding is not meaningful on it.
 */
export async function writeTinyModel(path: string, options: TinyModelOptions = {}): Promise<TinyModel> {
  const { seed = 1, name, endOfTurnProbability = 0.01, ...shapeOptions } = options;
  const shape: TinyModelShape = { ...TINY_TEST_MODEL, ...definedFields(shapeOptions) };
  checkShape(shape);
  const vocabulary = buildChatVocabulary(shape.vocabularySize, endOfTurnProbability);
  const arch = "qwen2";
  const metadata: Record<string, GgufValue> = {
    "general.architecture": ggufValue.string(arch),
    "general.type": ggufValue.string("model"),
    "general.name": ggufValue.string(name ?? `Tiny random Qwen2 ${shape.layers}x${shape.embeddingLength} seed ${seed}`),
    "general.file_type": ggufValue.uint32(FILE_TYPE[shape.tensorType]),
    ...(shape.tensorType === "F32" ? {} : { "general.quantization_version": ggufValue.uint32(2) }),
    [`${arch}.block_count`]: ggufValue.uint32(shape.layers),
    [`${arch}.context_length`]: ggufValue.uint32(shape.contextLength),
    [`${arch}.embedding_length`]: ggufValue.uint32(shape.embeddingLength),
    [`${arch}.feed_forward_length`]: ggufValue.uint32(shape.feedForwardLength),
    [`${arch}.attention.head_count`]: ggufValue.uint32(shape.headCount),
    [`${arch}.attention.head_count_kv`]: ggufValue.uint32(shape.headCountKv),
    [`${arch}.rope.freq_base`]: ggufValue.float32(1_000_000),
    [`${arch}.attention.layer_norm_rms_epsilon`]: ggufValue.float32(1e-6),
    "tokenizer.ggml.model": ggufValue.string("gpt2"),
    "tokenizer.ggml.pre": ggufValue.string("qwen2"),
    "tokenizer.ggml.tokens": ggufValue.strings(vocabulary.tokens),
    "tokenizer.ggml.token_type": ggufValue.int32s(vocabulary.tokenTypes),
    "tokenizer.ggml.merges": ggufValue.strings(vocabulary.merges),
    "tokenizer.ggml.eos_token_id": ggufValue.uint32(vocabulary.ids.imEnd),
    "tokenizer.ggml.padding_token_id": ggufValue.uint32(vocabulary.ids.endOfText),
    "tokenizer.ggml.bos_token_id": ggufValue.uint32(vocabulary.ids.endOfText),
    "tokenizer.ggml.add_bos_token": ggufValue.bool(false),
    "tokenizer.chat_template": ggufValue.string(QWEN2_5_CHAT_TEMPLATE),
  };
  const bytes = await writeGguf(path, { metadata, tensors: qwen2Tensors(shape, shape.tensorType, seed, vocabulary.logPrior) });
  return { path, bytes, shape, trainedTokens: vocabulary.trainedTokens, merges: vocabulary.merges.length, tokenIds: vocabulary.ids };
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function checkShape(shape: TinyModelShape): void {
  for (const key of ["layers", "embeddingLength", "headCount", "headCountKv", "feedForwardLength", "contextLength", "vocabularySize"] as const) {
    if (!Number.isInteger(shape[key]) || shape[key] <= 0) throw new Error(`${key} must be a positive integer, not ${shape[key]}`);
  }
  if (shape.embeddingLength % shape.headCount !== 0) throw new Error(`headCount ${shape.headCount} must divide embeddingLength ${shape.embeddingLength}`);
  if (shape.headCount % shape.headCountKv !== 0) throw new Error(`headCountKv ${shape.headCountKv} must divide headCount ${shape.headCount}`);
  if ((shape.embeddingLength / shape.headCount) % 2 !== 0) throw new Error("the head size (embeddingLength / headCount) must be even for rotary embeddings");
  if (shape.tensorType === "Q8_0" && (shape.embeddingLength % 32 !== 0 || shape.feedForwardLength % 32 !== 0)) {
    throw new Error("Q8_0 needs embeddingLength and feedForwardLength to be multiples of 32");
  }
}
