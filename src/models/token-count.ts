import type { Tiktoken } from "js-tiktoken/lite";

/**
 * Counts and cuts text in tokens with OpenAI's `o200k_base` encoding (the GPT-4o and later models'),
 * from `js-tiktoken` with its ranks bundled, so nothing is downloaded. Exact for those models; for the
 * others (Llama, Qwen, Gemini, ...) an estimate, usually within a quarter of their own count, which is
 * why a request is fitted to {@link FIT_SHARE} of a model's input limit.
 */
export interface TokenCounter {
  /** The tokens of `text`. */
  count(text: string): number;
  /** The first `tokens` tokens of `text`, as text. */
  truncate(text: string, tokens: number): string;
}

/** The share of a model's input limit a fitted request may fill: room for the counter's error and the messages' framing. */
export const FIT_SHARE = 0.9;

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
  return {
    // Special-token text (`<|endoftext|>`) in a conversation is counted as text, never refused.
    count: (text) => encoding.encode(text, [], []).length,
    truncate: (text, tokens) => encoding.decode(encoding.encode(text, [], []).slice(0, Math.max(0, tokens))),
  };
}
