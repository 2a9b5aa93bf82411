import { byteToUnicode, TokenType, trainByteLevelBpe, type ByteLevelBpe } from "./byte-level-bpe.js";

/** The added tokens of a ChatML model, in id order after the BPE tokens (Qwen2.5's, minus the vision and fill-in-the-middle ones). */
export const CHAT_SPECIAL_TOKENS = [
  { text: "<|endoftext|>", type: TokenType.CONTROL },
  { text: "<|im_start|>", type: TokenType.CONTROL },
  { text: "<|im_end|>", type: TokenType.CONTROL },
  // Not special in Qwen2.5 (llama.cpp still never splits them), so they detokenize as text.
  { text: "<tool_call>", type: TokenType.USER_DEFINED },
  { text: "</tool_call>", type: TokenType.USER_DEFINED },
] as const;

/** A model's full vocabulary: trained BPE tokens, the ChatML tokens, then unused fillers. */
export interface ChatVocabulary {
  /** Token texts by id. */
  readonly tokens: readonly string[];
  /** llama.cpp token types by id. */
  readonly tokenTypes: readonly number[];
  /** BPE merges in rank order. */
  readonly merges: readonly string[];
  /** How many tokens come from BPE training (bytes and merges); the ChatML tokens follow them. */
  readonly trainedTokens: number;
  /** Ids of the ChatML tokens. */
  readonly ids: { readonly endOfText: number; readonly imStart: number; readonly imEnd: number; readonly toolCallStart: number; readonly toolCallEnd: number };
  /**
   * The natural log of how likely each token should be as the next one, before the context has its
   * say: the BPE tokens get their (smoothed) frequency in the training text, `<|im_end|>` gets
   * `endOfTurnProbability`, and tokens that should never be generated get `-Infinity` (fillers, the other
   * added tokens, and bytes outside printable ASCII, which would only make broken UTF-8).
   */
  readonly logPrior: Float64Array;
}

/** Builds a ChatML vocabulary of exactly `size` tokens, learning as many BPE merges as fit (and the sample text has). */
export function buildChatVocabulary(size: number, endOfTurnProbability: number): ChatVocabulary {
  const room = size - 256 - CHAT_SPECIAL_TOKENS.length;
  if (!Number.isInteger(size) || room < 0) throw new Error(`the vocabulary needs at least ${256 + CHAT_SPECIAL_TOKENS.length} tokens, not ${size}`);
  if (!(endOfTurnProbability >= 0 && endOfTurnProbability < 1)) throw new Error(`endOfTurnProbability must be in [0, 1), not ${endOfTurnProbability}`);
  // Merges seen once still make whole-word tokens, which is what makes generated text read as words.
  const bpe = trainByteLevelBpe({ maxMerges: room, minPairCount: 1 });
  const trainedTokens = bpe.tokens.length;
  const tokens = [...bpe.tokens, ...CHAT_SPECIAL_TOKENS.map(({ text }) => text)];
  const tokenTypes: number[] = [...bpe.tokenTypes, ...CHAT_SPECIAL_TOKENS.map(({ type }) => type)];
  while (tokens.length < size) {
    tokens.push(`[PAD${tokens.length}]`);
    tokenTypes.push(TokenType.UNUSED);
  }
  const idOf = (text: (typeof CHAT_SPECIAL_TOKENS)[number]["text"]) => trainedTokens + CHAT_SPECIAL_TOKENS.findIndex((token) => token.text === text);
  const ids = {
    endOfText: idOf("<|endoftext|>"),
    imStart: idOf("<|im_start|>"),
    imEnd: idOf("<|im_end|>"),
    toolCallStart: idOf("<tool_call>"),
    toolCallEnd: idOf("</tool_call>"),
  };
  const logPrior = new Float64Array(size).fill(Number.NEGATIVE_INFINITY);
  logPrior.set(textPrior(bpe).map((p) => Math.log(p * (1 - endOfTurnProbability))));
  logPrior[ids.imEnd] = Math.log(endOfTurnProbability);
  return { tokens, tokenTypes, merges: bpe.merges, trainedTokens, ids, logPrior };
}

/** Unigram probabilities of the BPE tokens, add-half smoothed, zero for tokens with bytes outside printable ASCII. */
function textPrior(bpe: ByteLevelBpe): number[] {
  const printable = new Set(byteToUnicode().filter((_, byte) => byte === 0x0a || (byte >= 0x20 && byte <= 0x7e)));
  const weights = bpe.tokens.map((token, id) => ([...token].every((char) => printable.has(char)) ? (bpe.counts[id] ?? 0) + 0.5 : 0));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight) => weight / total);
}
