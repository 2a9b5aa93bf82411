import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { MoAConfigError } from "../errors.js";
import type { ModelSlot } from "../models/model-slots.js";
import type { AnswerFormat, StructuredOutputRequest } from "../state/answer-format.js";

/** The methods of LangChain's `withStructuredOutput`. */
const STRUCTURED_METHODS = ["functionCalling", "jsonMode", "jsonSchema"] as const;

/** An aggregator's answer: its message and, for structured output, the parsed object (`null` when it did not parse). */
export interface FormattedAnswer {
  readonly message: AIMessage;
  readonly parsed?: unknown;
}

/**
 * The aggregator model as it must be called for `format`: with the tools bound (`bindTools`), or through
 * its own `withStructuredOutput` (raw message included), or as it is. Throws a {@link MoAConfigError}
 * naming the aggregator when its model cannot bind tools or does not have the structured-output method.
 */
export function bindAnswerFormat(model: BaseChatModel, format: AnswerFormat | undefined, slot: ModelSlot): Runnable<BaseMessage[], unknown> {
  if (format?.structured) return withStructuredOutput(model, format.structured, slot);
  if (!format?.tools) return model;
  // Provider options without tools (an agent's native structured output): no bindTools needed.
  if (format.tools.tools.length === 0) return model.withConfig(format.tools.kwargs);
  if (typeof model.bindTools !== "function") {
    throw new MoAConfigError("tools", `the aggregator ${slot.label} (${model.getName()}) cannot call tools: its model class has no bindTools; use an aggregator whose provider supports tool calling (e.g. openai, ollama, google-genai)`);
  }
  try {
    return model.bindTools([...format.tools.tools], format.tools.kwargs);
  } catch (error) {
    throw new MoAConfigError("tools", `the aggregator ${slot.label} (${model.getName()}) refuses the tools: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Binds `format` to every aggregator (and has each provider convert the tools and `tool_choice` as it
 * will for its request), so that what an aggregator cannot do fails before any model is called.
 */
export function checkAnswerFormat(models: readonly BaseChatModel[], slots: readonly ModelSlot[], format: AnswerFormat | undefined): void {
  if (!format?.tools && !format?.structured) return;
  models.forEach((model, i) => {
    const slot = slots[i] as ModelSlot;
    const bound = bindAnswerFormat(model, format, slot) as Runnable & { kwargs?: Record<string, unknown> };
    if (format.structured || bound.kwargs === undefined) return;
    try {
      model.invocationParams(bound.kwargs);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MoAConfigError("tools", `the aggregator ${slot.label} (${model.getName()}) refuses the tools or tool_choice: ${reason}`);
    }
  });
}

/** Reads what {@link bindAnswerFormat}'s runnable returned. */
export function toFormattedAnswer(output: unknown): FormattedAnswer {
  if (AIMessage.isInstance(output)) return { message: output };
  const { raw, parsed } = (output ?? {}) as { raw?: unknown; parsed?: unknown };
  if (!AIMessage.isInstance(raw)) throw new Error("The aggregator's structured output came without its raw message");
  return { message: raw, parsed };
}

function withStructuredOutput(model: BaseChatModel, request: StructuredOutputRequest, slot: ModelSlot): Runnable<BaseMessage[], unknown> {
  const bind = (method: string | undefined) =>
    model.withStructuredOutput(request.schema, {
      includeRaw: true,
      ...(request.name !== undefined ? { name: request.name } : {}),
      ...(method !== undefined ? { method } : {}),
      ...(request.strict !== undefined ? { strict: request.strict } : {}),
    }) as Runnable<BaseMessage[], unknown>;
  try {
    return bind(request.method);
  } catch (error) {
    const supported = STRUCTURED_METHODS.filter((method) => {
      try {
        bind(method);
        return true;
      } catch {
        return false;
      }
    });
    const reason = error instanceof Error ? error.message : String(error);
    const what = request.method === undefined ? "structured output" : `structured output with method "${request.method}"`;
    throw new MoAConfigError("method", `the aggregator ${slot.label} (${model.getName()}) cannot produce ${what} (${reason}); methods it supports: ${supported.length > 0 ? supported.join(", ") : "none"}`);
  }
}
