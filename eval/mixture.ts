/** The MoA under evaluation, asked one conversation at a time. */
import type { BaseMessage } from "@langchain/core/messages";
import { createMixtureOfAgents, getMoATrace, MoAError, type MixtureOfAgentsOptions } from "../src/index.js";
import type { AnswerFunction } from "./model-answer.js";

/** Answers with the mixture's final message; its cost is the turn's trace (every call, every token). */
export function mixtureAnswer(options: MixtureOfAgentsOptions): AnswerFunction {
  const graph = createMixtureOfAgents(options);
  return async (messages: readonly BaseMessage[], signal: AbortSignal) => {
    const started = performance.now();
    try {
      const state = await graph.invoke({ messages: [...messages] }, { signal });
      const final = state.messages.at(-1);
      const trace = final ? getMoATrace(final) : undefined;
      if (!final || !trace) throw new Error("the MoA returned no final answer");
      const reported = [...trace.layers.flatMap((layer) => layer.calls), ...trace.aggregator].filter((call) => call.status === "ok");
      const allReported = reported.every((call) => call.usage !== undefined);
      return {
        text: final.text,
        calls: trace.calls,
        inputTokens: allReported ? trace.usage.input_tokens : null,
        outputTokens: allReported ? trace.usage.output_tokens : null,
        wallMs: performance.now() - started,
      };
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      // MoA errors already name the models and causes (keys masked); anything else is shown by its first line.
      throw MoAError.isInstance(error) ? error : new Error(error instanceof Error ? error.message.split("\n")[0] : String(error));
    }
  };
}
