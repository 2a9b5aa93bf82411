/**
 * Token counts and prompt caching as the protocol servers report them with `usage: "counted"`.
 *
 * A request's prompt is its messages rendered the way a chat template renders them (a role marker, the
 * content, an end marker, in order), split into tokens by a documented estimate: each word and each
 * punctuation mark is one token. Providers cache the longest prefix of a prompt they have seen before
 * for the same model (OpenAI's and Gemini's automatic caching, the KV cache of Ollama, llama.cpp and
 * vLLM): the cached count of a request is the longest prefix it shares with an earlier request to the
 * same model, with no minimum length and no expiry.
 */
import type { RecordedMessage } from "./protocol-server.js";

/** Words and punctuation marks: the estimate of a text's tokens. */
const TOKEN = /\w+|[^\w\s]/g;

/** The estimated tokens of `text`. */
export function textTokens(text: string): string[] {
  return text.match(TOKEN) ?? [];
}

/** The tokens of a prompt: each message as `<|role|>`, its content's tokens, `<|end|>`. */
export function promptTokens(messages: readonly RecordedMessage[]): string[] {
  return messages.flatMap((message) => [`<|${message.role}|>`, ...textTokens(message.content), "<|end|>"]);
}

/** The prompts each model has read, to tell how much of a new prompt is cached. */
export class PromptCache {
  private readonly seen = new Map<string, string[][]>();

  /** How many leading tokens of `tokens` an earlier prompt to `model` had; then remembers `tokens`. */
  read(model: string, tokens: readonly string[]): number {
    const earlier = this.seen.get(model) ?? [];
    const cached = earlier.reduce((longest, prompt) => Math.max(longest, sharedPrefix(prompt, tokens)), 0);
    this.seen.set(model, [...earlier, [...tokens]]);
    return cached;
  }
}

function sharedPrefix(a: readonly string[], b: readonly string[]): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i < limit && a[i] === b[i]) i++;
  return i;
}
