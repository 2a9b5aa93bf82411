import type { RunnableConfig } from "@langchain/core/runnables";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { ModelSlot } from "../models/model-slots.js";

/** How a model call is labelled for stream consumers and traces. */
export interface CallLabel {
  /** `proposer` or `aggregator`. */
  readonly role: "proposer" | "aggregator";
  /** The 1-based layer, or `"aggregate"`. */
  readonly layer: number | "aggregate";
  /** Hide the call's tokens from LangGraph's `messages` stream (used by the chat-model facade). */
  readonly hidden?: boolean;
}

/** A model's answer with the times it was asked and answered (epoch milliseconds). */
export interface TimedAnswer {
  readonly message: AIMessage;
  readonly startedAt: number;
  readonly endedAt: number;
}

/** Epoch milliseconds with sub-millisecond precision. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Calls `slot`'s model with `messages` under the node's `config` (so callbacks, streaming and abort
 * signals carry over), tagged `moa:<role>` and with `moa_role`, `moa_layer` and `moa_proposer` metadata.
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
    runName: `moa_${label.role}`,
    tags: [...(config.tags ?? []), ...tags],
    metadata: { ...config.metadata, moa_role: label.role, moa_layer: label.layer, moa_proposer: slot.id, moa_model: slot.label },
  });
  return { message, startedAt, endedAt: now() };
}
