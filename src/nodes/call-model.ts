import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { CallbackManager } from "@langchain/core/callbacks/manager";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { ModelSlot } from "../models/model-slots.js";

/** How a model call is labelled for stream consumers and traces. */
export interface CallLabel {
  /** `proposer` or `aggregator`. */
  readonly role: "proposer" | "aggregator";
  /** The 1-based layer, or `"aggregate"`. */
  readonly layer: number | "aggregate";
  /** Which aggregator of the fallback list this is (0 for the first). */
  readonly attempt?: number;
  /** Hide the call's tokens from LangGraph's `messages` stream (used by the chat-model facade). */
  readonly hidden?: boolean;
  /** Called for each token the call streams. */
  readonly onToken?: () => void;
  /** Ask the model to stream even when no stream consumer (such as LangGraph's) asks for it. */
  readonly stream?: boolean;
}

/** The `configurable` key with which a caller asks the aggregator (and only it) to stream its answer. */
export const STREAM_ANSWER_KEY = "moa_stream_answer";

/** A model's answer with the times it was asked and answered (epoch milliseconds). */
export interface TimedAnswer {
  /** The model's answer. */
  readonly message: AIMessage;
  /** When the call started. */
  readonly startedAt: number;
  /** When the answer was complete. */
  readonly endedAt: number;
}

/** Epoch milliseconds with sub-millisecond precision. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Calls `slot`'s model with `messages` under the node's `config` (so callbacks, streaming and abort
 * signals carry over), tagged `moa:<role>` and with `moa_role`, `moa_layer`, `moa_proposer` and
 * `moa_model` metadata.
 */
export async function callModel(
  slot: ModelSlot,
  messages: BaseMessage[],
  config: RunnableConfig,
  label: CallLabel,
): Promise<TimedAnswer> {
  const model = await slot.getModel();
  const tags = [`moa:${label.role}`, ...(label.hidden ? ["nostream"] : [])];
  const startedAt = now();
  const message = await model.invoke(messages, {
    ...config,
    callbacks: label.onToken || label.stream ? withHandler(config.callbacks, tokenWatcher(label)) : config.callbacks,
    runName: `moa_${label.role}`,
    tags: [...(config.tags ?? []), ...tags],
    metadata: {
      ...config.metadata,
      moa_role: label.role,
      moa_layer: label.layer,
      moa_proposer: slot.id,
      moa_model: slot.label,
      ...(label.attempt !== undefined ? { moa_attempt: label.attempt } : {}),
    },
  });
  return { message, startedAt, endedAt: now() };
}

function tokenWatcher({ onToken, stream }: CallLabel): BaseCallbackHandler {
  const handler = BaseCallbackHandler.fromMethods({ handleLLMNewToken: () => onToken?.() });
  // Chat models stream (instead of generating in one piece) when a handler prefers it.
  return Object.assign(handler, { lc_prefer_streaming: stream === true });
}

function withHandler(callbacks: RunnableConfig["callbacks"], handler: BaseCallbackHandler): RunnableConfig["callbacks"] {
  if (callbacks === undefined) return [handler];
  if (Array.isArray(callbacks)) return [...callbacks, handler];
  return (callbacks as CallbackManager).copy([handler], false);
}
