/**
 * One model asked on its own, with the same retries, timeouts and concurrency limits as the MoA's calls,
 * so that the single models and the mixture are measured alike.
 */
import type { BaseMessage } from "@langchain/core/messages";
import type { MixtureOfAgentsOptions, ModelInput, ModelPrice, TokenUsage } from "../src/index.js";
import { resolveOptions } from "../src/state/options.js";
import { callModel } from "../src/nodes/call-model.js";
import { injectSystemText } from "../src/prompts/inject-system-text.js";
import { isChatModel } from "../src/models/validate-spec.js";
import { callCost } from "../src/models/price.js";
import { reportedUsage } from "../src/models/usage.js";
import type { AnswerCost, AnswerFunction } from "./model-answer.js";
import { usageDetails } from "./usage-details.js";

/** The MoA options a single model shares with the mixture. */
export type SharedCallOptions = Pick<MixtureOfAgentsOptions, "retry" | "timeouts" | "concurrency">;

/** The model's display name and how to ask it. */
export interface SingleModel {
  readonly label: string;
  readonly answer: AnswerFunction;
}

/**
 * Asks `model` (once, whatever its `samples`) under `shared`'s retry policy,
 * per-call timeout (`timeouts.proposerMs`) and concurrency limits. Errors are rejected with a message
 * that names the model and the fix, API keys masked.
 */
export function singleModel(model: ModelInput, shared: SharedCallOptions = {}): SingleModel {
  const one = withoutSamples(model);
  const options = resolveOptions({ ...shared, proposers: [one], aggregator: one });
  const slot = options.proposers[0];
  if (slot === undefined) throw new Error("resolveOptions returned no proposer slot");
  const answer: AnswerFunction = async (messages: readonly BaseMessage[], signal: AbortSignal) => {
    const started = performance.now();
    try {
      const { message } = await callModel(slot, injectSystemText(messages, { prefix: slot.system }), { signal }, { role: "proposer", layer: 1 }, {
        retry: options.retry,
        ...(options.timeouts.proposerMs !== undefined ? { timeoutMs: options.timeouts.proposerMs } : {}),
      });
      const usage = message.usage_metadata;
      return { text: message.text, calls: 1, inputTokens: usage?.input_tokens ?? null, outputTokens: usage?.output_tokens ?? null, ...usageDetails(usage), wallMs: performance.now() - started, ...priced(usage, slot.price) };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new Error(options.redact(slot.explainError(error)));
    }
  };
  return { label: slot.label, answer };
}

/** The cost of one call at `price`, or a call without a cost when the model has a price but reported no usage. */
function priced(usage: TokenUsage | undefined, price: ModelPrice | undefined): Pick<AnswerCost, "cost" | "costMissing"> {
  if (price === undefined) return {};
  const cost = callCost(reportedUsage(usage), price);
  return cost === undefined ? { costMissing: 1 } : { cost };
}

/** `model` without its `samples`: a single model answers once. */
export function withoutSamples(model: ModelInput): ModelInput {
  if (typeof model !== "object" || isChatModel(model)) return model;
  const { samples: _samples, ...rest } = model;
  return rest;
}
