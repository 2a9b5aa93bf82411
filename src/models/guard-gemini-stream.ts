import type { BaseChatModel } from "@langchain/core/language_models/chat_models";

interface GeminiStreamResult {
  stream: AsyncIterable<unknown>;
  response: Promise<unknown>;
}

interface GeminiClientHolder {
  client?: { generateContentStream?: (...args: unknown[]) => Promise<GeminiStreamResult> };
}

/**
 * `@google/generative-ai` returns a stream with a `response` promise that rejects when the stream breaks
 * (an abort, a dropped connection); ChatGoogleGenerativeAI never reads that promise, so the rejection
 * goes unhandled and ends the process. This marks it handled: the stream itself still reports the error.
 */
export function guardGeminiStream(model: BaseChatModel): void {
  const client = (model as unknown as GeminiClientHolder).client;
  const original = client?.generateContentStream;
  if (client === undefined || typeof original !== "function") return;
  client.generateContentStream = async (...args: unknown[]) => {
    const result = await original.apply(client, args);
    result.response.catch(() => undefined);
    return result;
  };
}
