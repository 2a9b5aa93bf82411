/** The MoA under evaluation, asked one conversation at a time. */
import type { BaseMessage } from "@langchain/core/messages";
import { createMixtureOfAgents, getMoATrace, MoAError, type MixtureOfAgentsOptions } from "../src/index.js";
import { describeError } from "../src/errors.js";
import { resolveOptions } from "../src/state/options.js";
import type { AnswerFunction } from "./model-answer.js";
import { usageDetails } from "./usage-details.js";

/** Answers with the mixture's final message; its cost is the turn's trace (every call, every token, and the money where models have prices). */
export function mixtureAnswer(options: MixtureOfAgentsOptions): AnswerFunction {
  const graph = createMixtureOfAgents(options);
  const { redact } = resolveOptions(options);
  return async (messages: readonly BaseMessage[], signal: AbortSignal) => {
    const started = performance.now();
    try {
      const state = await graph.invoke({ messages: [...messages] }, { signal });
      const final = state.messages.at(-1);
      const trace = final ? getMoATrace(final) : undefined;
      if (!final || !trace) throw new Error("the MoA returned no final answer");
      const calls = [...trace.layers.flatMap((layer) => layer.calls), ...trace.aggregator];
      // Calls that returned an answer (with text or without) are the ones whose provider may report usage.
      const answered = calls.filter((call) => call.status !== "failed" && call.status !== "straggler");
      const usage = trace.usage;
      const allReported = usage !== undefined && answered.every((call) => call.usage !== undefined);
      // Stragglers were cut off by the configured quorum on purpose; a failed call is a degraded answer.
      const failedCalls = calls.filter((call) => call.status === "failed").length;
      return {
        text: final.text,
        calls: trace.calls,
        inputTokens: allReported ? usage.input_tokens : null,
        outputTokens: allReported ? usage.output_tokens : null,
        ...usageDetails(usage),
        wallMs: performance.now() - started,
        ...(trace.cost !== undefined ? { cost: trace.cost } : {}),
        ...(trace.costMissing ? { costMissing: trace.costMissing.length } : {}),
        ...(failedCalls > 0 ? { failedCalls } : {}),
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // MoA errors already name the models and causes (keys masked); anything else is shown by its first line.
      throw MoAError.isInstance(error) ? error : new Error(redact(describeError(error)));
    }
  };
}
