/**
 * OpenAI's `o200k_base` byte-pair encoding, from `js-tiktoken` with its ranks bundled (nothing is
 * downloaded). Special-token text in a conversation (`<|endoftext|>`) is encoded as text, never refused.
 */
export interface O200kEncoding {
  /** The tokens of `text` (best kept short: see `text-pieces.ts`). */
  count(text: string): number;
  /** The first `tokens` tokens of `text`, as text, never ending in half a character. */
  truncate(text: string, tokens: number): string;
}

/**
 * Loads the encoding. Building it from its ranks (a few megabytes) takes `js-tiktoken` about a second of one
 * block of the event loop, once per process, and only when a request may be over a model's input limit.
 */
export async function loadO200k(): Promise<O200kEncoding> {
  const [{ Tiktoken }, { default: ranks }] = await Promise.all([import("js-tiktoken/lite"), import("js-tiktoken/ranks/o200k_base")]);
  const encoding = new Tiktoken(ranks);
  const encode = (text: string) => encoding.encode(text, [], []);
  return {
    count: (text) => encode(text).length,
    truncate: (text, tokens) => encoding.decode(encode(text).slice(0, Math.max(0, tokens))).replace(/\uFFFD+$/u, ""),
  };
}
