/**
 * tools/gguf, checked against the real llama.cpp engine (node-llama-cpp's CPU build): the GGUF writer's
 * metadata types and tensor layout as node-llama-cpp's reader sees them; the tiny random Qwen2 model is
 * deterministic for a seed, its metadata reads back, llama.cpp tokenizes exactly as the BPE trainer
 * encodes, its chat template resolves to Qwen's chat wrapper, and sampling (F32 and Q8_0) gives varied
 * words, never fillers, from three sequences of one context.
 */
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaChatSession, QwenChatWrapper, readGgufFileInfo, type Llama, type LlamaModel, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeByteLevelBpe, encodeByteLevelBpe } from "../../tools/gguf/byte-level-bpe.js";
import { ggufValue, writeGguf } from "../../tools/gguf/gguf-writer.js";
import { buildChatVocabulary, type ChatVocabulary } from "../../tools/gguf/chat-vocabulary.js";
import { QWEN2_5_CHAT_TEMPLATE } from "../../tools/gguf/chatml-template.js";
import { ENGLISH_SAMPLE } from "../../tools/gguf/english-sample.js";
import { TINY_TEST_MODEL, writeTinyModel, type TinyModel } from "../../tools/gguf/tiny-model.js";

const SEED = 7;
/** Words of the training text: with every merge of the text learnt, each pre-tokenizer piece is one token. */
const KNOWN_SENTENCE = "The river was lower in the summer, and the fish were smaller.";
/** Not in the training text: unseen words fall back to shorter merges and bytes. */
const NEW_SENTENCE = "The quick brown fox doesn't jump over 13 lazy dogs; it naps by the river instead.";

let dir: string;
let written: TinyModel;
let vocabulary: ChatVocabulary;
let llama: Llama;
let model: LlamaModel;

/**
 * Samples `count` tokens at temperature 0.8 after a ChatML prompt. Sampling stops at <|im_end|>, so
 * this feeds it back and samples on: what matters here is what the weights make likely.
 */
async function sample(from: LlamaModel, imEnd: number, count: number): Promise<number[]> {
  const context = await from.createContext({ sequences: 1, contextSize: 512, threads: 1 });
  try {
    const sequence = context.getSequence();
    let input = from.tokenize("<|im_start|>user\nTell me about the river.<|im_end|>\n<|im_start|>assistant\n", true);
    const generated: number[] = [];
    while (generated.length < count) {
      for await (const token of sequence.evaluate(input, { temperature: 0.8, seed: SEED + generated.length })) {
        generated.push(token);
        if (generated.length === count) break;
      }
      if (generated.length < count) generated.push(imEnd);
      input = [imEnd as Token];
    }
    return generated;
  } finally {
    await context.dispose();
  }
}

/** Tokens that should never come out: fillers, added tokens other than <|im_end|>, bytes outside printable ASCII. */
function unexpected(tokens: readonly number[], of: TinyModel): number[] {
  return tokens.filter((token) => token !== of.tokenIds.imEnd && (token >= of.trainedTokens || vocabulary.logPrior[token] === Number.NEGATIVE_INFINITY));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "moa-tiny-model-"));
  written = await writeTinyModel(join(dir, "tiny.gguf"), { seed: SEED });
  vocabulary = buildChatVocabulary(TINY_TEST_MODEL.vocabularySize, 0.01);
  llama = await getLlama({ gpu: false });
  model = await llama.loadModel({ modelPath: written.path });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe("GGUF writer", () => {
  it("writes typed metadata and aligned tensor data where node-llama-cpp's reader finds them", async () => {
    const path = join(dir, "plain.gguf");
    const floats = new Uint8Array(Float32Array.from([1, -2.5, 3.25]).buffer);
    const blocks = Uint8Array.from({ length: 2 * 34 }, (_, i) => (i * 7) % 256);
    const bytes = await writeGguf(path, {
      metadata: {
        "general.architecture": ggufValue.string("llama"),
        "test.u8": { type: "uint8", value: 200 },
        "test.i16": { type: "int16", value: -30000 },
        "test.u64": { type: "uint64", value: 2n ** 40n },
        "test.f64": { type: "float64", value: 0.1 },
        "test.f32": ggufValue.float32(0.5),
        "test.flag": ggufValue.bool(true),
        "test.text": ggufValue.string("héllo"),
        "test.texts": ggufValue.strings(["a", "ü", ""]),
        "test.ints": ggufValue.int32s([1, -2, 3]),
        "test.floats": ggufValue.float32s([0.5, -1.25]),
      },
      tensors: [
        { name: "a", type: "F32", dims: [3], data: () => [floats] },
        // Produced in two chunks: the writer must not care how the bytes are cut.
        { name: "b", type: "Q8_0", dims: [32, 2], data: () => [blocks.subarray(0, 5), blocks.subarray(5)] },
      ],
    });
    const { metadata, tensorInfo = [] } = await readGgufFileInfo(path, { logWarnings: false });
    expect(metadata.general.alignment).toBe(32);
    expect((metadata as unknown as Record<string, unknown>)["test"]).toEqual({
      u8: 200, i16: -30000, u64: 2n ** 40n, f64: 0.1, f32: 0.5, flag: true, text: "héllo", texts: ["a", "ü", ""], ints: [1, -2, 3], floats: [0.5, -1.25],
    });
    expect(tensorInfo.map(({ name, offset }) => [name, Number(offset)])).toEqual([["a", 0], ["b", 32]]);
    const file = await readFile(path);
    const [a = -1, b = -1] = tensorInfo.map((tensor) => Number(tensor.fileOffset));
    expect(a % 32).toBe(0);
    expect(file.subarray(a, a + floats.length)).toEqual(Buffer.from(floats));
    expect(file.subarray(b, b + blocks.length)).toEqual(Buffer.from(blocks));
    // The last tensor is padded to the alignment too: 68 bytes of blocks, then 28 of padding.
    expect(file.length).toBe(b + 96);
    expect(bytes).toBe(file.length);
  });

  it("refuses tensor data that does not fit the shape, leaving no file behind", async () => {
    const path = join(dir, "short.gguf");
    await expect(writeGguf(path, { metadata: {}, tensors: [{ name: "a", type: "F32", dims: [4], data: () => [new Uint8Array(12)] }] })).rejects.toThrow(/12 bytes/);
    await expect(stat(path)).rejects.toThrow();
    expect((await readdir(dir)).filter((name) => name.includes("short"))).toEqual([]);
  });
});

describe("tiny model file", () => {
  it("writes a small file, the same bytes for the same seed and other bytes for another", async () => {
    expect((await stat(written.path)).size).toBe(written.bytes);
    expect(written.bytes).toBeGreaterThan(100_000);
    expect(written.bytes).toBeLessThan(2_000_000);
    const again = await writeTinyModel(join(dir, "again.gguf"), { seed: SEED });
    const other = await writeTinyModel(join(dir, "other.gguf"), { seed: SEED + 1 });
    const bytes = await readFile(written.path);
    expect((await readFile(again.path)).equals(bytes)).toBe(true);
    const otherBytes = await readFile(other.path);
    expect(otherBytes.length).toBe(bytes.length);
    expect(otherBytes.equals(bytes)).toBe(false);
  });

  it("rejects shapes llama.cpp could not run", async () => {
    await expect(writeTinyModel(join(dir, "bad.gguf"), { headCount: 5 })).rejects.toThrow(/headCount/);
    await expect(writeTinyModel(join(dir, "bad.gguf"), { vocabularySize: 200 })).rejects.toThrow(/vocabulary/);
    await expect(writeTinyModel(join(dir, "bad.gguf"), { tensorType: "Q8_0", feedForwardLength: 100 })).rejects.toThrow(/Q8_0/);
  });
});

describe("metadata read back", () => {
  it("node-llama-cpp's GGUF reader sees a qwen2 chat model of the requested shape", async () => {
    const { metadata, tensorInfo = [] } = await readGgufFileInfo(written.path, { logWarnings: false });
    expect(metadata.general.architecture).toBe("qwen2");
    const hyper = (metadata as unknown as Record<string, Record<string, unknown>>)["qwen2"] ?? {};
    expect(hyper).toMatchObject({
      block_count: TINY_TEST_MODEL.layers,
      context_length: TINY_TEST_MODEL.contextLength,
      embedding_length: TINY_TEST_MODEL.embeddingLength,
      feed_forward_length: TINY_TEST_MODEL.feedForwardLength,
      attention: { head_count: TINY_TEST_MODEL.headCount, head_count_kv: TINY_TEST_MODEL.headCountKv },
    });
    const tokenizer = metadata.tokenizer;
    expect(tokenizer.ggml.model).toBe("gpt2");
    expect(tokenizer.ggml.tokens).toHaveLength(TINY_TEST_MODEL.vocabularySize);
    expect(tokenizer.ggml.merges).toHaveLength(written.merges);
    expect(tokenizer.ggml.eos_token_id).toBe(written.tokenIds.imEnd);
    expect(tokenizer.ggml.bos_token_id).toBe(written.tokenIds.endOfText);
    expect(tokenizer.ggml.add_bos_token).toBe(false);
    expect(tokenizer.chat_template).toBe(QWEN2_5_CHAT_TEMPLATE);
    expect((metadata.general as { alignment?: number }).alignment).toBe(32);

    // Tied output: the embeddings, 12 tensors per block, the final norm, and no output.weight.
    expect(tensorInfo).toHaveLength(1 + 12 * TINY_TEST_MODEL.layers + 1);
    const embeddings = tensorInfo.find((tensor) => tensor.name === "token_embd.weight");
    expect(embeddings?.dimensions.map(Number)).toEqual([TINY_TEST_MODEL.embeddingLength, TINY_TEST_MODEL.vocabularySize]);
    expect(tensorInfo.some((tensor) => tensor.name === "output.weight")).toBe(false);
  });

  it("llama.cpp loads it with the declared context and special tokens", () => {
    expect(model.trainContextSize).toBe(TINY_TEST_MODEL.contextLength);
    expect(model.embeddingVectorSize).toBe(TINY_TEST_MODEL.embeddingLength);
    expect(model.tokens.eos).toBe(written.tokenIds.imEnd);
    expect(model.tokens.eosString).toBe("<|im_end|>");
    expect(model.tokens.shouldPrependBosToken).toBe(false);
  });
});

describe("tokenizer", () => {
  it("reads each ChatML token as one token, and the tool-call tags even as plain text", () => {
    const { ids } = vocabulary;
    expect(model.tokenize("<|im_start|>", true)).toEqual([ids.imStart]);
    expect(model.tokenize("<|im_end|>", true)).toEqual([ids.imEnd]);
    expect(model.tokenize("<|endoftext|>", true)).toEqual([ids.endOfText]);
    expect(model.tokenize("<tool_call>", false)).toEqual([ids.toolCallStart]);
    expect(model.tokenize("</tool_call>", false)).toEqual([ids.toolCallEnd]);
    // Control tokens are text when special tokens are off.
    expect(model.tokenize("<|im_end|>", false).length).toBeGreaterThan(1);
  });

  it("tokenizes English as the BPE trainer encodes it, and back to the same text", () => {
    const known = model.tokenize(KNOWN_SENTENCE);
    expect(known.map((token) => model.detokenize([token]))).toEqual(["The", " river", " was", " lower", " in", " the", " summer", ",", " and", " the", " fish", " were", " smaller", "."]);
    expect(known).toEqual(encodeByteLevelBpe(vocabulary, KNOWN_SENTENCE));

    const tokens = model.tokenize(NEW_SENTENCE);
    expect(tokens).toEqual(encodeByteLevelBpe(vocabulary, NEW_SENTENCE));
    expect(tokens.length).toBeLessThan(Buffer.byteLength(NEW_SENTENCE) * 0.7);
    expect(model.detokenize(tokens)).toBe(NEW_SENTENCE);
    expect(decodeByteLevelBpe(vocabulary, tokens)).toBe(NEW_SENTENCE);
    const unicode = "Café — naïve 🙂";
    expect(model.detokenize(model.tokenize(unicode))).toBe(unicode);
  });
});

describe("generation", () => {
  it("resolves Qwen's chat wrapper and samples a non-empty answer in each of three sequences", async () => {
    const context = await model.createContext({ sequences: 3, contextSize: 2048, threads: 1 });
    try {
      const first = new LlamaChatSession({ contextSequence: context.getSequence() });
      // node-llama-cpp renders the Jinja template and finds it equivalent to its Qwen wrapper (tool calls included).
      expect(first.chatWrapper).toBeInstanceOf(QwenChatWrapper);
      expect((first.chatWrapper as QwenChatWrapper).variation).toBe("3");
      const sessions = [first, ...[1, 2].map(() => new LlamaChatSession({ contextSequence: context.getSequence(), chatWrapper: first.chatWrapper }))];
      const answers = await Promise.all(
        sessions.map((session, index) => session.prompt("What did the team learn this week?", { temperature: 0.8, seed: 100 + index, maxTokens: 24 })),
      );
      for (const answer of answers) {
        expect(answer.trim().length).toBeGreaterThan(0);
        expect(model.tokenize(answer).length).toBeLessThanOrEqual(24 + 2);
      }
      expect(new Set(answers).size).toBe(3);
      // Word salad from the sample text, not bytes: most words of 3+ letters are words of the sample.
      const sampleWords = new Set(ENGLISH_SAMPLE.toLowerCase().match(/[a-z]+/g));
      const answerWords = answers.join(" ").toLowerCase().match(/[a-z]{3,}/g) ?? [];
      expect(answerWords.length).toBeGreaterThan(5);
      expect(answerWords.filter((word) => sampleWords.has(word)).length).toBeGreaterThan(answerWords.length / 2);
    } finally {
      await context.dispose();
    }
  });

  it("samples varied text tokens at temperature 0.8: no fillers, few ends of turn, no long runs of one token", async () => {
    const generated = await sample(model, written.tokenIds.imEnd, 96);
    expect(unexpected(generated, written)).toEqual([]);
    expect(generated.filter((token) => token === written.tokenIds.imEnd).length).toBeLessThan(10);
    expect(new Set(generated).size).toBeGreaterThan(generated.length / 2);
    let run = 1;
    let longest = 1;
    for (let i = 1; i < generated.length; i++) longest = Math.max(longest, (run = generated[i] === generated[i - 1] ? run + 1 : 1));
    expect(longest).toBeLessThanOrEqual(3);
  });

  it("a Q8_0 model (fp16 scales, int8 blocks) samples the same kind of tokens", async () => {
    const quantized = await writeTinyModel(join(dir, "tiny-q8_0.gguf"), { seed: SEED, tensorType: "Q8_0" });
    const { tensorInfo = [] } = await readGgufFileInfo(quantized.path, { logWarnings: false });
    const typeOf = (name: string) => tensorInfo.find((tensor) => tensor.name === name)?.ggmlType;
    expect([typeOf("token_embd.weight"), typeOf("blk.0.ffn_down.weight"), typeOf("blk.0.attn_norm.weight")]).toEqual([8, 8, 0]);
    expect(quantized.bytes).toBeLessThan(written.bytes / 2);
    const quantizedModel = await llama.loadModel({ modelPath: quantized.path });
    try {
      const generated = await sample(quantizedModel, quantized.tokenIds.imEnd, 64);
      expect(unexpected(generated, quantized)).toEqual([]);
      expect(new Set(generated).size).toBeGreaterThan(generated.length / 2);
    } finally {
      await quantizedModel.dispose();
    }
  });
});
