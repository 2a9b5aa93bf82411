import { ContextOverflowError } from "@langchain/core/errors";
import type { ChatHistoryItem } from "node-llama-cpp";
import type { LocalEngine } from "./local-engine.js";
import type { ResponseShape } from "./response-chunks.js";

/**
 * Refuses a prompt that does not fit the context a call holds, as a provider answers a request over its
 * context window: a `ContextOverflowError` (LangChain's) naming the prompt's tokens and the context's.
 * node-llama-cpp would instead drop the conversation's first messages, or all of a single long one,
 * and answer as if nothing were lost. The prompt is `history` as the model's chat template renders it,
 * with the functions it may call.
 */
export function checkPromptFits(engine: LocalEngine, history: ChatHistoryItem[], shape: ResponseShape, model: string): void {
  const { contextText } = engine.chatWrapper.generateContextState({
    chatHistory: history,
    ...(shape.kind === "functions" ? { availableFunctions: shape.functions } : {}),
  });
  const tokens = contextText.tokenize(engine.model.tokenizer).length;
  const holds = engine.pool.context.contextSize;
  if (tokens >= holds) {
    throw new ContextOverflowError(
      `the prompt is ${tokens} tokens, over the context window of ${model}: a call holds ${holds} tokens (contextSize); shorten the conversation or give a larger contextSize`,
    );
  }
}
