import type { BaseMessage } from "@langchain/core/messages";
import { isGraphBubbleUp, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { AggregatorFailedError, MoATimeoutError, type ModelFailure } from "../errors.js";
import type { ModelSlot } from "../models/model-slots.js";
import { turnDeadline } from "../models/turn-timeout.js";
import { reportedUsage } from "../models/usage.js";
import { callCost } from "../models/price.js";
import { withReferences } from "../prompts/place-references.js";
import { describeEmptyAnswer, proposalText } from "../prompts/proposal-text.js";
import { toolHistoryAsText } from "../prompts/tool-history-as-text.js";
import type { AnswerFormat } from "../state/answer-format.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { MoAState } from "../state/state.js";
import type { CallRecord } from "../state/trace.js";
import { bindAnswerFormat } from "./bind-answer-format.js";
import { fromCallError, toCallError } from "./call-error.js";
import { STREAM_ANSWER_KEY, callModel, now, type TimedAnswer } from "./call-model.js";
import { fitCall, inputLimitOf, nextWindow, type FittedCall } from "./fit-call.js";

/** What the aggregators made of a turn: the answer, who wrote it, and a record of every call tried. */
export interface AggregatorOutcome {
  readonly answer: TimedAnswer;
  /** The display name of the aggregator that answered. */
  readonly answeredBy: string;
  readonly records: readonly CallRecord[];
}

/** What the aggregators are asked with: the conversation and references, and how they answer. */
export interface AggregatorRequest {
  readonly conversation: readonly BaseMessage[];
  readonly references: readonly string[];
  readonly format: AnswerFormat | undefined;
  /** Hide the answer's tokens from LangGraph's `messages` stream. */
  readonly hidden?: boolean;
}

/**
 * Asks the aggregators in order until one answers: each reads the conversation with the references
 * fitted to its input limit (shortened, or in windows with `referenceFit: "windows"`), bound to the
 * turn's answer format. A failed aggregator gives way to the next, unless it had streamed tokens.
 * Throws `AggregatorFailedError` when none answers, and a turn's end (abort, turn timeout) as it is.
 */
export async function askAggregators(options: ResolvedMoAOptions, state: MoAState, config: LangGraphRunnableConfig, request: AggregatorRequest): Promise<AggregatorOutcome> {
  const { conversation, references, format, hidden } = request;
  const records: CallRecord[] = [];
  const failures: ModelFailure[] = [];
  let answer: TimedAnswer | undefined;
  let answeredBy = "";
  const policy = {
    timeoutMs: options.timeouts.aggregatorMs,
    retry: options.retry,
    deadline: turnDeadline(options.timeouts.turnMs, state),
  };
  // A draft window is asked without tools, so it reads the conversation's tool calls and results as text, as proposers do.
  const draftConversation = options.referenceFit === "windows" ? toolHistoryAsText(conversation) : conversation;
  for (const [attempt, slot] of options.aggregators.entries()) {
    const buildFrom = (messages: readonly BaseMessage[]) => (fitted: readonly string[]) =>
      withReferences(messages, { system: slot.system, references: options.format({ instruction: options.instruction, references: fitted, target: "aggregate" }) }, options.referencePlacement);
    const build = buildFrom(conversation);
    const draftBuild = buildFrom(draftConversation);
    const role = "aggregator";
    const layer = "aggregate";
    const own: CallRecord[] = [];
    let startedAt = now();
    let streamed = false;
    let cuts: FittedCall["cuts"];
    try {
      const limit = inputLimitOf(slot, slot.peekModel() ?? (await slot.getModel()));
      // With `referenceFit: "windows"`, windows before the last are read in text alone and hidden from streams.
      let remaining: readonly string[] = references;
      let carried: string | undefined;
      for (;;) {
        startedAt = now();
        const window = options.referenceFit === "windows" ? await nextWindow(limit, carried, remaining, build, draftBuild) : { taken: remaining.length, ...(await fitCall(limit, remaining, build)) };
        cuts = window.cuts;
        const last = window.taken === remaining.length;
        const asked = last
          ? await callModel(slot, window.messages, config, { role, layer, attempt, hidden, onToken: () => (streamed = true), stream: config.configurable?.[STREAM_ANSWER_KEY] === true }, policy, {
              bind: (model) => bindAnswerFormat(model, format, slot),
              ...(format?.stop ? { options: { stop: [...format.stop] } } : {}),
              ...(format?.structured ? { preferStreaming: true } : {}),
            })
          : await callModel(slot, window.messages, config, { role, layer, attempt, draft: true }, policy);
        checkNotEmpty(asked);
        own.push(okRecord(slot, asked, cuts));
        if (last) {
          answer = asked;
          break;
        }
        carried = asked.message.text;
        remaining = remaining.slice(window.taken);
      }
      records.push(...numberWindows(own));
      answeredBy = slot.label;
      break;
    } catch (error) {
      if (isGraphBubbleUp(error) || config.signal?.aborted || (MoATimeoutError.isInstance(error) && error.scope === "turn")) throw error;
      const recorded = toCallError(error, slot, options.redact);
      failures.push({ id: slot.id, layer: "aggregate", error: fromCallError(recorded) });
      own.push({ id: slot.id, model: slot.label, layer: "aggregate", status: "failed", startedAt, latencyMs: now() - startedAt, error: recorded.message, ...(cuts ? { cuts } : {}) });
      records.push(...numberWindows(own));
      if (streamed) break;
    }
  }
  if (answer === undefined) throw new AggregatorFailedError(failures);
  return { answer, answeredBy, records };
}

/**
 * Throws an `EmptyAnswerError` naming the finish or block reason when `answer` holds neither text nor tool
 * calls (a content filter, a reasoning model that spent its token limit thinking, a plain empty answer): it
 * is no answer, and the next aggregator is asked.
 */
function checkNotEmpty(answer: TimedAnswer): void {
  const read = proposalText(answer.message);
  if ("text" in read || read.empty.reason === "tool_calls_only") return;
  throw Object.assign(new Error(describeEmptyAnswer(read.empty)), { name: "EmptyAnswerError" });
}

/** The trace record of an aggregator call that answered. */
function okRecord(slot: ModelSlot, answer: TimedAnswer, cuts: FittedCall["cuts"]): CallRecord {
  const usage = reportedUsage(answer.message.usage_metadata);
  const cost = callCost(usage, slot.price);
  return {
    id: slot.id,
    model: slot.label,
    layer: "aggregate",
    status: "ok",
    startedAt: answer.startedAt,
    latencyMs: answer.endedAt - answer.startedAt,
    ...(usage ? { usage } : {}),
    ...(cost !== undefined ? { cost } : {}),
    ...(answer.attempts > 1 ? { attempts: answer.attempts } : {}),
    ...(cuts ? { cuts } : {}),
  };
}

/** One aggregator's calls, each numbered by its window when it read the references in several. */
function numberWindows(calls: readonly CallRecord[]): CallRecord[] {
  return calls.length > 1 ? calls.map((call, i) => ({ ...call, window: i + 1 })) : [...calls];
}

