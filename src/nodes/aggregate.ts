import { randomUUID } from "node:crypto";
import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { MoAState, MoAStateUpdate } from "../state/state.js";
import { summarizeTrace } from "../state/answer-summary.js";
import { TURN_ENDED } from "../state/turn-scoped-value.js";
import { answered, attachTrace, type CallRecord, type MoATrace, type VoteRecord } from "../state/trace.js";
import { sumTotals, totalUsage } from "../models/usage.js";
import { sumCosts, totalCost } from "../models/cost-total.js";
import { turnBounds, voteAmong, type Answered } from "./agreement.js";
import { answerFormatOf } from "./answer-format-of.js";
import { askAggregators } from "./ask-aggregators.js";
import { now, type TimedAnswer } from "./call-model.js";
import { referencesToContinue } from "./continue-references.js";
import { replayAnswer } from "./replay-answer.js";
import { unparsedAnswerError } from "./unparsed-answer-error.js";

/** Options of the `aggregate` node that are not part of the MoA options. */
export interface AggregateNodeSettings {
  /** Hide the aggregator's tokens from LangGraph's `messages` stream. */
  readonly hidden?: boolean;
}

/**
 * The `aggregate` node: the aggregator answers the conversation with the last layer's answers injected
 * as references, and its answer is appended to `messages` with the turn's total usage (only when some
 * call reported usage; the trace's `usageMissing` names the calls that did not), in
 * `response_metadata.moa` the turn's summary (`MoAAnswerSummary`: what a thread stores), and the turn's
 * whole trace for `getMoATrace`. The answer is kept as the aggregator gave it: reasoning
 * it returned stays where its LangChain client puts it, and inline reasoning is not removed (unlike a
 * proposer's, which would become a reference). With tools bound, the aggregator is called with them and
 * sees the conversation's tool calls and results as they are; its tool calls are the answer's (and the
 * references are kept in the trace for the agent loop's next step). With structured output, the parsed
 * object goes to `structuredResponse` and to the answer's `additional_kwargs.parsed` (an answer that does
 * not parse fails the turn with an `OutputParserException`, unless the raw message was asked for too). A failed
 * aggregator is replaced by the next one in the list, unless it had already streamed tokens (a stream
 * cannot take them back): then the turn fails. With `aggregation: "vote"`, or when a layer agreed and
 * `earlyExit.skipAggregator` is set, no aggregator is called: the voted or agreed proposal is the answer,
 * streamed as an aggregator's would be.
 */
export function createAggregateNode(options: ResolvedMoAOptions, settings: AggregateNodeSettings = {}) {
  return async function aggregate(state: MoAState, config: LangGraphRunnableConfig): Promise<MoAStateUpdate> {
    // No proposer layer ran: the turn continues an agent loop from the references of its last step.
    const continued = state.trace.layers.length === 0 ? referencesToContinue(state.messages) : undefined;
    const references = continued ?? state.references;
    const conversation = toolResultsAsStrings(state.messages);
    const format = answerFormatOf(config, options.answerFormat);
    const replayed = state.trace.earlyExit?.answeredBy !== undefined || options.aggregation === "vote";
    const { answer, answeredBy, records, vote } = replayed
      ? await replayedAnswer(options, state, config, settings.hidden)
      : { ...(await askAggregators(options, state, config, { conversation, references, format, hidden: settings.hidden })), vote: undefined };

    // Each layer's trace holds its total: the turn's is theirs and the aggregator calls'.
    const answers = records.filter(answered);
    const { usage, usageMissing } = sumTotals([...state.trace.layers, totalUsage(answers)]);
    const costs = options.priced ? sumCosts([...state.trace.layers, totalCost(answers)]) : {};
    const firstStart = Math.min(answer.startedAt, ...state.proposals.map((p) => p.startedAt));
    const { message } = answer;
    const toolCalls = message.tool_calls ?? [];
    const trace: MoATrace = {
      layers: state.trace.layers,
      aggregator: records,
      ...(usage ? { usage } : {}),
      ...(usageMissing ? { usageMissing } : {}),
      ...costs,
      calls: state.trace.calls + records.length,
      wallMs: answer.endedAt - firstStart,
      ...(continued ? { continued: true } : {}),
      ...(toolCalls.length > 0 && references.length > 0 ? { references: [...references] } : {}),
      ...(state.trace.earlyExit ? { earlyExit: state.trace.earlyExit } : {}),
      ...(vote ? { vote } : {}),
    };
    const hasParsed = answer.parsed !== undefined && answer.parsed !== null;
    if (format?.structured && !hasParsed && format.structured.includeRaw !== true) throw unparsedAnswerError(answeredBy, message);
    const id = answerId(message.id, state.messages);
    const final = new AIMessage({
      content: message.content,
      ...(id !== undefined ? { id } : {}),
      ...(message.name ? { name: message.name } : {}),
      tool_calls: toolCalls,
      ...(message.invalid_tool_calls?.length ? { invalid_tool_calls: message.invalid_tool_calls } : {}),
      additional_kwargs: hasParsed ? { ...message.additional_kwargs, parsed: answer.parsed } : message.additional_kwargs,
      // The model that wrote the answer, as the provider reported it (`model` or `model_name`), else as configured.
      response_metadata: Object.assign({}, message.response_metadata, providerId(message), { model: modelName(message) ?? answeredBy, moa: summarizeTrace(trace, state.turnId, answeredBy) }),
      ...(usage ? { usage_metadata: usage } : {}),
    });
    attachTrace(final, trace, state.turnId);
    // The turn's working state is not stored with its answer (the run's result still holds it).
    return { messages: [final], trace, proposals: TURN_ENDED, references: TURN_ENDED, ...(hasParsed ? { structuredResponse: answer.parsed } : {}) };
  };
}

/**
 * The answer no aggregator writes: the proposal a layer agreed on (`earlyExit` with `skipAggregator`),
 * or the winner of a vote among the last layer's proposals (`aggregation: "vote"`), streamed as an answer.
 */
async function replayedAnswer(
  options: ResolvedMoAOptions,
  state: MoAState,
  config: LangGraphRunnableConfig,
  hidden: boolean | undefined,
): Promise<{ answer: TimedAnswer; answeredBy: string; records: readonly CallRecord[]; vote: VoteRecord | undefined }> {
  const layer = state.trace.layers.length;
  const proposals = state.proposals.filter((p): p is Answered => p.layer === layer && p.text !== undefined).sort((a, b) => a.index - b.index);
  const agreed = state.trace.earlyExit?.answeredBy;
  const { winner, record } = agreed !== undefined ? { winner: proposals.find((p) => p.id === agreed), record: undefined } : await voteAmong(options, proposals, turnBounds(options, state, config));
  if (winner === undefined) throw new Error(`No proposal of layer ${layer} to answer with`);
  const startedAt = now();
  const message = await replayAnswer(winner.text, config, { source: record ? "vote" : "agreement", proposer: winner.id, model: winner.model, hidden });
  return { answer: { message, startedAt, endedAt: now(), attempts: 1 }, answeredBy: winner.model, records: [], vote: record };
}

/**
 * The answer's id: the aggregator's own, unless a message of the thread has it already (a server or a
 * response cache that repeats its completion ids); then a new one, since LangGraph's messages reducer
 * replaces a message by id and the answer would overwrite an earlier one.
 */
function answerId(given: string | undefined, thread: readonly BaseMessage[]): string | undefined {
  if (given === undefined || given === "") return undefined;
  return thread.some((message) => message.id === given) ? randomUUID() : given;
}

/** The aggregator's own message id as `response_metadata.id` (where Anthropic's and OpenAI's Responses clients put theirs), unless it is there already. */
function providerId(message: AIMessage): { id?: string } {
  return message.id && message.response_metadata.id === undefined ? { id: message.id } : {};
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
