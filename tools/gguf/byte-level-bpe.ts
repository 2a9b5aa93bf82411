import { ENGLISH_SAMPLE } from "./english-sample.js";

/** llama.cpp's token types (`tokenizer.ggml.token_type`), as stored in GGUF files. */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

/**
 * The pre-tokenizer of Qwen2 (llama.cpp's `tokenizer.ggml.pre = "qwen2"`): text is split into these
 * pieces before BPE, and no merge crosses a piece boundary. The case-insensitive group of the original
 * is spelt out, as llama.cpp does.
 */
export const QWEN2_PRE_TOKENIZER =
  /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** A trained byte-level BPE vocabulary, in the form llama.cpp's `gpt2` tokenizer reads. */
export interface ByteLevelBpe {
  /** Token texts (byte-level characters), indexed by token id: the 256 byte tokens, then one per new merge result. */
  readonly tokens: readonly string[];
  /** Token types, all {@link TokenType.NORMAL}. */
  readonly tokenTypes: readonly number[];
  /** Merges in rank order, each `"left right"` (token texts never contain a space: it is `Ġ`). */
  readonly merges: readonly string[];
  /** How often each token occurs in the training text once it is encoded with these merges. */
  readonly counts: readonly number[];
}

/** Options of {@link trainByteLevelBpe}. */
export interface ByteLevelBpeOptions {
  /** The text to learn merges from. Defaults to {@link ENGLISH_SAMPLE}. */
  readonly text?: string;
  /** The most merges to learn. Defaults to as many as the text supports. */
  readonly maxMerges?: number;
  /** Stop once the most frequent pair occurs fewer times than this. Defaults to 2. */
  readonly minPairCount?: number;
}

let byteChars: readonly string[] | undefined;

/** GPT-2's byte-to-unicode mapping: printable bytes stand for themselves, the others for code points from U+0100 up. */
export function byteToUnicode(): readonly string[] {
  if (byteChars !== undefined) return byteChars;
  const chars: string[] = [];
  let next = 256;
  for (let byte = 0; byte < 256; byte++) {
    const printable = (byte >= 0x21 && byte <= 0x7e) || (byte >= 0xa1 && byte <= 0xac) || (byte >= 0xae && byte <= 0xff);
    chars.push(String.fromCharCode(printable ? byte : next++));
  }
  byteChars = chars;
  return chars;
}

/** The byte tokens in GPT-2's vocabulary order: the printable bytes first, then the rest. */
function byteTokensInGpt2Order(): string[] {
  const chars = byteToUnicode();
  const printable = chars.filter((char) => char.charCodeAt(0) < 256);
  const remapped = chars.filter((char) => char.charCodeAt(0) >= 256);
  return [...printable, ...remapped];
}

/** Text as byte-level characters: its UTF-8 bytes, each shown as one character. */
export function toByteLevel(text: string): string {
  const chars = byteToUnicode();
  let out = "";
  for (const byte of Buffer.from(text, "utf8")) out += chars[byte];
  return out;
}

/** Splits text into pre-tokenizer pieces, each already in byte-level characters. */
function preTokenize(text: string): string[] {
  return Array.from(text.matchAll(QWEN2_PRE_TOKENIZER), (match) => toByteLevel(match[0]));
}

/**
 * Learns byte-level BPE merges from text, as GPT-2-style tokenizers are trained: start from the 256
 * byte tokens, then repeatedly merge the most frequent adjacent pair inside pre-tokenizer pieces (ties go
 * to the pair that sorts first, so training is deterministic).
 */
export function trainByteLevelBpe(options: ByteLevelBpeOptions = {}): ByteLevelBpe {
  const { text = ENGLISH_SAMPLE, maxMerges = Number.POSITIVE_INFINITY, minPairCount = 2 } = options;
  const wordCounts = new Map<string, number>();
  for (const piece of preTokenize(text)) wordCounts.set(piece, (wordCounts.get(piece) ?? 0) + 1);
  const words = Array.from(wordCounts, ([word, count]) => ({ symbols: word.split(""), count }));

  const tokens = byteTokensInGpt2Order();
  const known = new Set(tokens);
  const merges: string[] = [];
  while (merges.length < maxMerges) {
    const pairCounts = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i + 1 < symbols.length; i++) {
        const pair = `${symbols[i]} ${symbols[i + 1]}`;
        pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + count);
      }
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [pair, count] of pairCounts) {
      if (count > bestCount || (count === bestCount && best !== undefined && pair < best)) {
        best = pair;
        bestCount = count;
      }
    }
    if (best === undefined || bestCount < minPairCount) break;
    const [left = "", right = ""] = best.split(" ");
    merges.push(best);
    // Two merge paths can spell the same text ("ab"+"c", "a"+"bc"); llama.cpp needs token texts unique.
    if (!known.has(left + right)) {
      known.add(left + right);
      tokens.push(left + right);
    }
    for (const word of words) word.symbols = mergePair(word.symbols, left, right);
  }

  const bpe = { tokens, tokenTypes: tokens.map(() => TokenType.NORMAL), merges, counts: [] as number[] };
  const counts = new Array<number>(tokens.length).fill(0);
  for (const id of encodeByteLevelBpe(bpe, text)) counts[id] = (counts[id] ?? 0) + 1;
  return { ...bpe, counts };
}

function mergePair(symbols: string[], left: string, right: string): string[] {
  const merged: string[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === left && symbols[i + 1] === right) {
      merged.push(left + right);
      i++;
    } else merged.push(symbols[i] ?? "");
  }
  return merged;
}

/** Lookup tables of each vocabulary object encoded with so far. */
const encoders = new WeakMap<object, { ranks: Map<string, number>; ids: Map<string, number> }>();

/**
 * Encodes text with a trained vocabulary the way llama.cpp's BPE tokenizer does (pre-tokenize, then
 * apply the lowest-ranked merge until none applies), with no special tokens recognised.
 */
export function encodeByteLevelBpe(bpe: Pick<ByteLevelBpe, "tokens" | "merges">, text: string): number[] {
  let tables = encoders.get(bpe);
  if (tables === undefined) {
    tables = { ranks: new Map(bpe.merges.map((merge, rank) => [merge, rank])), ids: new Map(bpe.tokens.map((token, id) => [token, id])) };
    encoders.set(bpe, tables);
  }
  const { ranks, ids } = tables;
  const out: number[] = [];
  for (const piece of preTokenize(text)) {
    let symbols = piece.split("");
    for (;;) {
      let bestRank = Number.POSITIVE_INFINITY;
      let bestIndex = -1;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const rank = ranks.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestIndex = i;
        }
      }
      if (bestIndex < 0) break;
      symbols = mergePair(symbols, symbols[bestIndex] ?? "", symbols[bestIndex + 1] ?? "");
    }
    for (const symbol of symbols) {
      const id = ids.get(symbol);
      if (id !== undefined) out.push(id);
      else for (const char of symbol) out.push(ids.get(char) ?? 0);
    }
  }
  return out;
}

/** Decodes token ids of a byte-level vocabulary back to text (invalid UTF-8 becomes U+FFFD). */
export function decodeByteLevelBpe(bpe: Pick<ByteLevelBpe, "tokens">, ids: readonly number[]): string {
  const byteOf = new Map(byteToUnicode().map((char, byte) => [char, byte]));
  const bytes: number[] = [];
  for (const id of ids) for (const char of bpe.tokens[id] ?? "") bytes.push(byteOf.get(char) ?? 0x3f);
  return Buffer.from(bytes).toString("utf8");
}
