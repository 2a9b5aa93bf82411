import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { OutputParserException } from "@langchain/core/output_parsers";
import { isGraphBubbleUp, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { AggregatorFailedError, MoATimeoutError, type ModelFailure } from "../errors.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { MoAState, MoAStateUpdate } from "../state/state.js";
import { answered, type CallRecord, type MoATrace } from "../state/trace.js";
import { reportedUsage, totalUsage } from "../models/usage.js";
import { injectSystemText } from "../prompts/inject-system-text.js";
import { answerFormatOf } from "./answer-format-of.js";
import { bindAnswerFormat } from "./bind-answer-format.js";
import { fromCallError, toCallError } from "./call-error.js";
import { referencesToContinue } from "./continue-references.js";
import { STREAM_ANSWER_KEY, callModel, now, type TimedAnswer } from "./call-model.js";

/** Options of the `aggregate` node that are not part of the MoA options. */
export interface AggregateNodeSettings {
  /** Hide the aggregator's tokens from LangGraph's `messages` stream. */
  readonly hidden?: boolean;
}

/**
 * The `aggregate` node: the aggregator answers the conversation with the last layer's answers injected
 * as references, and its answer is appended to `messages` with the turn's total usage (only when some
 * call reported usage; the trace's `usageMissing` names the calls that did not) and, in
 * `response_metadata.moa`, the turn's trace. The answer is kept as the aggregator gave it: reasoning
 * it returned stays where its LangChain client puts it, and inline reasoning is not removed (unlike a
 * proposer's, which would become a reference). With tools bound, the aggregator is called with them and
 * sees the conversation's tool calls and results as they are; its tool calls are the answer's (and the
 * references are kept in the trace for the agent loop's next step). With structured output, the parsed
 * object goes to `structuredResponse` and to the answer's `additional_kwargs.parsed` (an answer that does
 * not parse fails the turn with an `OutputParserException`, unless the raw message was asked for too). A failed
 * aggregator is replaced by the next one in the list, unless it had already streamed tokens (a stream
 * cannot take them back): then the turn fails.
 */
export function createAggregateNode(options: ResolvedMoAOptions, settings: AggregateNodeSettings = {}) {
  return async function aggregate(state: MoAState, config: LangGraphRunnableConfig): Promise<MoAStateUpdate> {
    // No proposer layer ran: the turn continues an agent loop from the references of its last step.
    const continued = state.trace.layers.length === 0 ? referencesToContinue(state.messages) : undefined;
    const references = continued ?? state.references;
    const suffix = options.format({ instruction: options.instruction, references, target: "aggregate" });
    const format = answerFormatOf(config, options.answerFormat);
    const records: CallRecord[] = [];
    const failures: ModelFailure[] = [];
    let answer: TimedAnswer | undefined;
    let answeredBy = "";
    for (const [attempt, slot] of options.aggregators.entries()) {
      const messages = injectSystemText(toolResultsAsStrings(state.messages), { prefix: slot.system, suffix });
      const startedAt = now();
      let streamed = false;
      try {
        answer = await callModel(slot, messages, config, {
          role: "aggregator",
          layer: "aggregate",
          attempt,
          hidden: settings.hidden,
          onToken: () => (streamed = true),
          stream: config.configurable?.[STREAM_ANSWER_KEY] === true,
        }, {
          timeoutMs: options.timeouts.aggregatorMs,
          retry: options.retry,
          ...(state.deadline !== null && options.timeouts.turnMs !== undefined ? { deadline: { at: state.deadline, turnMs: options.timeouts.turnMs, turnId: state.turnId } } : {}),
        }, {
          bind: (model) => bindAnswerFormat(model, format, slot),
          ...(format?.stop ? { options: { stop: [...format.stop] } } : {}),
        });
        const usage = reportedUsage(answer.message.usage_metadata);
        records.push({
          id: slot.id,
          model: slot.label,
          layer: "aggregate",
          status: "ok",
          latencyMs: answer.endedAt - answer.startedAt,
          ...(usage ? { usage } : {}),
          ...(answer.attempts > 1 ? { attempts: answer.attempts } : {}),
        });
        answeredBy = slot.label;
        break;
      } catch (error) {
        if (isGraphBubbleUp(error) || config.signal?.aborted || (MoATimeoutError.isInstance(error) && error.scope === "turn")) throw error;
        const recorded = toCallError(error, slot, options.redact);
        failures.push({ id: slot.id, layer: "aggregate", error: fromCallError(recorded) });
        records.push({ id: slot.id, model: slot.label, layer: "aggregate", status: "failed", latencyMs: now() - startedAt, error: recorded.message });
        if (streamed) break;
      }
    }
    if (answer === undefined) throw new AggregatorFailedError(failures);

    const { usage, usageMissing } = totalUsage([...state.trace.layers.flatMap((layer) => layer.calls), ...records].filter(answered));
    const firstStart = Math.min(answer.startedAt, ...state.proposals.map((p) => p.startedAt));
    const { message } = answer;
    const toolCalls = message.tool_calls ?? [];
    const trace: MoATrace = {
      layers: state.trace.layers,
      aggregator: records,
      ...(usage ? { usage } : {}),
      ...(usageMissing ? { usageMissing } : {}),
      calls: state.trace.calls + records.length,
      wallMs: answer.endedAt - firstStart,
      ...(continued ? { continued: true } : {}),
      ...(toolCalls.length > 0 && references.length > 0 ? { references: [...references] } : {}),
    };
    const hasParsed = answer.parsed !== undefined && answer.parsed !== null;
    if (format?.structured && !hasParsed && format.structured.includeRaw !== true) {
      const given = toolCalls.length > 0 ? toolCalls.map((call) => `${call.name}(${JSON.stringify(call.args)})`).join(", ") : message.text || "(no text)";
      throw new OutputParserException(`The aggregator ${answeredBy} answered what does not fit the structured output's schema: ${given.slice(0, 300)}`, given);
    }
    const final = new AIMessage({
      content: message.content,
      ...(message.id ? { id: message.id } : {}),
      ...(message.name ? { name: message.name } : {}),
      tool_calls: toolCalls,
      ...(message.invalid_tool_calls?.length ? { invalid_tool_calls: message.invalid_tool_calls } : {}),
      additional_kwargs: hasParsed ? { ...message.additional_kwargs, parsed: answer.parsed } : message.additional_kwargs,
      // The model that wrote the answer, as the provider reported it (`model` or `model_name`), else as configured.
      response_metadata: { ...message.response_metadata, model: modelName(message) ?? answeredBy, moa: trace },
      ...(usage ? { usage_metadata: usage } : {}),
    });
    return { messages: [final], trace, ...(hasParsed ? { structuredResponse: answer.parsed } : {}) };
  };
}

function modelName(message: AIMessage): string | undefined {
  const { model, model_name: modelNameField } = message.response_metadata as { model?: unknown; model_name?: unknown };
  const name = model ?? modelNameField;
  return typeof name === "string" && name !== "" ? name : undefined;
}

/**
 * Tool results whose content is all text, as one string: some clients (Ollama's) refuse content arrays
 * in tool messages, and a string says the same. Results with images or other parts are kept as they are.
 */
function toolResultsAsStrings(messages: readonly BaseMessage[]): BaseMessage[] {
  return messages.map((message) => {
    if (!ToolMessage.isInstance(message) || typeof message.content === "string") return message;
    const allText = message.content.every((part) => typeof part === "object" && part !== null && part.type === "text");
    if (!allText) return message;
    const { tool_call_id, name, id, status, artifact, additional_kwargs, response_metadata } = message;
    return new ToolMessage({ content: message.text, tool_call_id, name, id, status, artifact, additional_kwargs, response_metadata });
  });
}
