import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { EmptyContentError, IncompleteAnswerError } from "./answer-end.js";

interface GeminiStreamResult {
  stream: AsyncIterable<GeminiResponse>;
  response: Promise<unknown>;
}

/** What this module reads of a streamed `GenerateContentResponse`. */
interface GeminiResponse {
  candidates?: Array<{ content?: unknown; finishReason?: string }>;
  promptFeedback?: { blockReason?: string };
}

interface GeminiClientHolder {
  client?: { generateContentStream?: (...args: unknown[]) => Promise<GeminiStreamResult> };
}

/**
 * Makes ChatGoogleGenerativeAI's streams fail as its unstreamed calls do:
 * - `@google/generative-ai` returns a stream with a `response` promise that rejects when the stream breaks
 *   (an abort, a dropped connection); ChatGoogleGenerativeAI never reads that promise, so the rejection
 *   would go unhandled and end the process. It is marked handled: the stream itself still reports the error.
 * - A stream that brings no content (a candidate stopped by a filter, `finishReason: "SAFETY"`, or a prompt
 *   blocked, `promptFeedback.blockReason`) makes the client yield nothing, and LangChain then fails with a
 *   `TypeError` or "Received empty response". It ends with an {@link EmptyContentError} naming the reason
 *   instead, as the client's unstreamed call does.
 */
export function guardGeminiStream(model: BaseChatModel): void {
  const client = (model as unknown as GeminiClientHolder).client;
  const original = client?.generateContentStream;
  if (client === undefined || typeof original !== "function") return;
  client.generateContentStream = async (...args: unknown[]) => {
    const result = await original.apply(client, args);
    result.response.catch(() => undefined);
    return { ...result, stream: withContentCheck(result.stream) };
  };
}

async function* withContentCheck(stream: AsyncIterable<GeminiResponse>): AsyncGenerator<GeminiResponse> {
  let content = false;
  let finishReason: string | undefined;
  let blockReason: string | undefined;
  for await (const response of stream) {
    const candidate = response.candidates?.[0];
    content ||= candidate?.content !== undefined;
    finishReason = candidate?.finishReason ?? finishReason;
    blockReason = response.promptFeedback?.blockReason ?? blockReason;
    yield response;
  }
  if (content) return;
  // Nothing at all, and no reason given: the stream was cut before its end, not stopped by a filter.
  if (finishReason === undefined && blockReason === undefined) throw new IncompleteAnswerError();
  throw new EmptyContentError({ ...(finishReason ? { finishReason } : {}), ...(blockReason ? { blockReason } : {}) });
}
