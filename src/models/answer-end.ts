import { AIMessage } from "@langchain/core/messages";

/**
 * How a model's answer ended, as its provider reported it: the finish reason, read from wherever each
 * LangChain client puts it, and the checks that tell a whole answer from a cut one.
 */

/** The metadata keys of a finish reason, per client: OpenAI's, Ollama's, Gemini's, Anthropic's. */
const FINISH_REASON_KEYS = ["finish_reason", "done_reason", "finishReason", "stop_reason"] as const;

/**
 * The finish reason in `metadata` (a message's `response_metadata` or a generation's `generationInfo`):
 * OpenAI `finish_reason`, Ollama `done_reason`, Gemini `finishReason`, Anthropic `stop_reason`.
 * `undefined` when none is given.
 */
export function finishReasonIn(metadata: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (metadata === undefined) return undefined;
  for (const key of FINISH_REASON_KEYS) {
    const reason = metadata[key];
    if (typeof reason === "string" && reason !== "") return reason;
  }
  return undefined;
}

/** Finish reasons that say an answer ended at its token limit: OpenAI's and Ollama's, Gemini's, Anthropic's. */
const TOKEN_LIMIT_REASONS = new Set(["length", "MAX_TOKENS", "max_tokens"]);

/** Whether finish reason `reason` says the answer stopped at its token limit (`maxTokens`). */
export function stoppedAtTokenLimit(reason: string): boolean {
  return TOKEN_LIMIT_REASONS.has(reason);
}

/** Why Gemini blocked the prompt (`promptFeedback.blockReason`), as {@link emptyAnswerOf} records it. */
export function blockReasonIn(metadata: Readonly<Record<string, unknown>>): string | undefined {
  return typeof metadata.blockReason === "string" && metadata.blockReason !== "" ? metadata.blockReason : undefined;
}

/**
 * Providers whose protocol ends every whole answer with a finish reason (OpenAI and every server speaking its
 * protocol: `finish_reason`, or a Responses API `status`; Ollama: `done_reason`; Gemini: `finishReason`;
 * Anthropic: `stop_reason`; the embedded engine), by the `model_provider` their LangChain client reports.
 */
const PROVIDERS_WITH_FINISH_REASON = new Set(["openai", "ollama", "google-genai", "anthropic", "llama-cpp"]);

/**
 * Whether `message` is an answer cut short: its provider's protocol ends every answer with a finish reason,
 * and it came without one (a stream a proxy or load balancer closed cleanly before its end).
 */
export function isCutShort(message: AIMessage): boolean {
  const metadata = message.response_metadata as Record<string, unknown>;
  const provider = metadata.model_provider;
  if (typeof provider !== "string" || !PROVIDERS_WITH_FINISH_REASON.has(provider)) return false;
  return finishReasonIn(metadata) === undefined && typeof metadata.status !== "string";
}

/** An answer whose stream ended before its provider said it was finished. Retried like a dropped connection. */
export class IncompleteAnswerError extends Error {
  constructor() {
    super("the answer ended without a finish reason: its stream was cut before the end (a proxy, load balancer or server closed it)");
    this.name = "IncompleteAnswerError";
  }
}

/**
 * An answer with no content, as Gemini's client reports it unstreamed (`EmptyContentError`, with the
 * candidate's `finishReason` or the prompt's `blockReason`); thrown for a stream that brought no content.
 */
export class EmptyContentError extends Error {
  readonly finishReason?: string;
  readonly blockReason?: string;

  constructor(reasons: { readonly finishReason?: string; readonly blockReason?: string }) {
    const block = reasons.blockReason ? ` Block reason: ${reasons.blockReason}.` : "";
    const finish = reasons.finishReason ? ` Finish reason: ${reasons.finishReason}.` : "";
    super(`The model returned no content.${block}${finish}`);
    this.name = "EmptyContentError";
    if (reasons.finishReason) this.finishReason = reasons.finishReason;
    if (reasons.blockReason) this.blockReason = reasons.blockReason;
  }
}

/**
 * The answer an `EmptyContentError` (Gemini's client's, or {@link EmptyContentError}) stands for: a message
 * with no text whose metadata holds the reasons, so that it is read like any other provider's empty answer.
 * Other errors are thrown again.
 */
export function emptyAnswerOf(error: unknown): AIMessage {
  if (!(error instanceof Error) || error.name !== "EmptyContentError") throw error;
  const { finishReason, blockReason } = error as { finishReason?: unknown; blockReason?: unknown };
  return new AIMessage({
    content: "",
    response_metadata: {
      ...(typeof finishReason === "string" ? { finishReason } : {}),
      ...(typeof blockReason === "string" ? { blockReason } : {}),
    },
  });
}
