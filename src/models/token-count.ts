import type { Tiktoken } from "js-tiktoken/lite";

/**
 * Counts and cuts text in tokens with OpenAI's `o200k_base` encoding (the GPT-4o and later models'),
 * from `js-tiktoken` with its ranks bundled, so nothing is downloaded. Exact for those models (up to a
 * token per {@link PIECE_CHARS} characters of text without spaces, see below); for the others (Llama,
 * Qwen, Gemini, ...) an estimate, close for English prose and further off for some scripts and emoji,
 * which is why a request is fitted to {@link FIT_SHARE} of a model's input limit.
 */
export interface TokenCounter {
  /** The tokens of `text`. */
  count(text: string): number;
  /** The first `tokens` tokens of `text`, as text (never ending in half a character). */
  truncate(text: string, tokens: number): string;
}

/** The share of a model's input limit a fitted request may fill: room for the counter's error and the messages' framing. */
export const FIT_SHARE = 0.9;

/**
 * Text is encoded in pieces of at most this many characters, cut before whitespace where there is some
 * (the encoding itself splits words there, a word keeping the space before it):
 * byte-pair encoding takes time that grows with the square of a run without spaces (an answer stuck
 * repeating one character or emoji), and pieces bound it. A cut inside a run may count a token more.
 */
const PIECE_CHARS = 32;

let loading: Promise<TokenCounter> | undefined;

/** The `o200k_base` counter, loaded on first use (its ranks are a few megabytes). */
export function tokenCounter(): Promise<TokenCounter> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<TokenCounter> {
  const [{ Tiktoken }, { default: ranks }] = await Promise.all([import("js-tiktoken/lite"), import("js-tiktoken/ranks/o200k_base")]);
  const encoding: Tiktoken = new Tiktoken(ranks);
  // Special-token text (`<|endoftext|>`) in a conversation is counted as text, never refused.
  const encode = (piece: string) => encoding.encode(piece, [], []);
  return {
    count: (text) => pieces(text).reduce((sum, piece) => sum + encode(piece).length, 0),
    truncate: (text, tokens) => {
      let kept = "";
      let left = Math.max(0, tokens);
      for (const piece of pieces(text)) {
        if (left === 0) break;
        const encoded = encode(piece);
        if (encoded.length <= left) {
          kept += piece;
          left -= encoded.length;
        } else {
          kept += encoding.decode(encoded.slice(0, left)).replace(/\uFFFD+$/u, "");
          left = 0;
        }
      }
      return kept;
    },
  };
}

/** `text` in pieces of at most {@link PIECE_CHARS} characters, cut before whitespace where possible and never inside a surrogate pair. */
function pieces(text: string): string[] {
  const result: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + PIECE_CHARS);
    if (end < text.length) {
      const space = text.slice(start, end).search(/\s\S*$/u);
      if (space > 0) end = start + space;
      else if (isLowSurrogate(text.charCodeAt(end))) end -= 1;
    }
    result.push(text.slice(start, end));
    start = end;
  }
  return result;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
