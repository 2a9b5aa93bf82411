import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import { MoAInputError } from "../errors.js";
import type { ModelSlot } from "../models/model-slots.js";

const IMAGE_PART_TYPES = new Set(["image_url", "image"]);

/** True when some message of the conversation carries an image part. */
function hasImages(messages: readonly BaseMessage[]): boolean {
  return messages.some(
    (message) => Array.isArray(message.content) && message.content.some((part) => IMAGE_PART_TYPES.has(String((part as { type?: unknown }).type))),
  );
}

/**
 * Throws a {@link MoAInputError} naming every model whose LangChain profile says it takes no images
 * when the conversation has some. Models whose profile does not say are left to the provider, whose
 * error then names the model in the trace.
 */
export function checkContentSupport(messages: readonly BaseMessage[], slots: readonly ModelSlot[], models: readonly BaseChatModel[]): void {
  if (!hasImages(messages)) return;
  const textOnly = slots.filter((_, i) => models[i]?.profile?.imageInputs === false).map((slot) => slot.label);
  if (textOnly.length === 0) return;
  throw new MoAInputError(
    `The conversation has images, but ${[...new Set(textOnly)].join(", ")} take(s) text only: remove the images or use models that accept them.`,
  );
}
