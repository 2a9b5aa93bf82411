import type { BaseMessage } from "@langchain/core/messages";
import { dispatchCustomEvent } from "@langchain/core/callbacks/dispatch";
import { isGraphBubbleUp, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { MoATimeoutError } from "../errors.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { Proposal } from "../state/proposal.js";
import type { MoAStateUpdate } from "../state/state.js";
import { hasCallbackHandlers } from "../models/callback-handlers.js";
import { reportedUsage } from "../models/usage.js";
import { callCost } from "../models/price.js";
import { describeTools } from "../prompts/describe-tools.js";
import { withReferences } from "../prompts/place-references.js";
import { describeEmptyAnswer, proposalText } from "../prompts/proposal-text.js";
import { toolHistoryAsText } from "../prompts/tool-history-as-text.js";
import { answerFormatOf } from "./answer-format-of.js";
import { toCallError, type CallError } from "./call-error.js";
import { turnDeadline } from "../models/turn-timeout.js";
import type { ModelSlot } from "../models/model-slots.js";
import { callModel, now } from "./call-model.js";
import { fitCall, inputLimitOf, type FittedCall } from "./fit-call.js";
import { QuorumRegistry } from "./layer-quorum.js";
import { PROPOSAL_EVENT, PROPOSAL_START_EVENT, type ProposalEvent, type ProposalStartEvent } from "./proposal-event.js";

/** What the fan-out sends to one `propose` branch. */
export interface ProposeTask {
  /** The proposer's index in the resolved options. */
  readonly index: number;
  /** The 1-based layer. */
  readonly layer: number;
  /** The conversation. */
  readonly messages: BaseMessage[];
  /** The previous layer's answers (empty in layer 1). */
  readonly references: string[];
  /** The turn this layer belongs to. */
  readonly turnId: string;
  /** Epoch milliseconds by which the turn must end, or null. */
  readonly deadline: number | null;
  /**
   * The error this proposer's call failed with in an earlier layer of the turn, when another call would
   * only repeat it (`isLastingKind`: an unknown model, a refused key): then it is not called again.
   */
  readonly lastingFailure?: CallError;
}

/** Options of the `propose` node that are not part of the MoA options. */
export interface ProposeNodeSettings {
  /** Hide the proposers' tokens from LangGraph's `messages` stream. */
  readonly hidden?: boolean;
}

/**
 * The `propose` node, run once per proposer per layer (fanned out with `Send`). With tools bound, the
 * proposer is told which tools the aggregator can call and sees the conversation's tool calls and
 * results as text; it is never given the tools. It returns the
 * proposal, failed or not, and emits it on the `custom` stream and as a callback event; when it calls the
 * model, it first emits a `moa_proposal_start` event on the `custom` stream. An answer
 * with no text once inline reasoning is removed (see `proposalText`) is recorded as `empty`, with an
 * `EmptyAnswerError`, and is no proposal. With a quorum, a proposer still running when the layer's
 * grace period ends is aborted and marked a straggler. A proposer whose call failed in an earlier layer
 * of the turn with an error that another call would only repeat (an unknown model, a refused key: see
 * `isLastingKind`) is not called again in that turn: its proposal is failed with the same error, with
 * `attempts: 0` (no request made). The next turn calls it again.
 */
export function createProposeNode(options: ResolvedMoAOptions, settings: ProposeNodeSettings = {}) {
  const quorums = options.quorum ? new QuorumRegistry(options.quorum) : undefined;
  return async function propose(task: ProposeTask, config: LangGraphRunnableConfig): Promise<MoAStateUpdate> {
    const slot = options.proposers[task.index];
    if (slot === undefined) throw new RangeError(`No proposer at index ${task.index}`);
    const quorum = quorums?.join(task.turnId, task.layer, options.proposers.length);
    const base = { id: slot.id, model: slot.label, index: slot.index, layer: task.layer };
    const earlier = task.lastingFailure;
    let proposal: Proposal;
    if (earlier) {
      const at = now();
      proposal = { startedAt: at, ...base, endedAt: at, attempts: 0, error: earlier };
      quorum?.settle("no_answer");
    } else {
      const start: ProposalStartEvent = { event: PROPOSAL_START_EVENT, ...base, startedAt: now() };
      config.writer?.(start);
      proposal = await askProposer(options, settings, slot, task, config, quorum);
    }
    const event: ProposalEvent = { event: PROPOSAL_EVENT, ...proposal };
    config.writer?.(event);
    // Only callback handlers receive custom events (LangSmith's tracer ignores them): with none, skip the dispatch.
    if (hasCallbackHandlers(config.callbacks)) await dispatchCustomEvent(PROPOSAL_EVENT, event, config);
    return { proposals: [proposal] };
  };
}

type LayerQuorum = ReturnType<QuorumRegistry["join"]>;

/** Calls `slot` for `task`; the proposal holds its answer, or the error it failed with. Settles `quorum`. */
async function askProposer(
  options: ResolvedMoAOptions,
  settings: ProposeNodeSettings,
  slot: ModelSlot,
  task: ProposeTask,
  config: LangGraphRunnableConfig,
  quorum: LayerQuorum | undefined,
): Promise<Proposal> {
  const tools = answerFormatOf(config, options.answerFormat)?.tools;
  const systemSuffix = tools && tools.summaries.length > 0 ? describeTools(tools.summaries) : undefined;
  // Proposers advise in text: they are called without tools, so tool calls and results reach them as text.
  const conversation = toolHistoryAsText(task.messages);
  const build = (references: readonly string[]) =>
    withReferences(
      conversation,
      { system: slot.system, systemSuffix, references: task.layer > 1 ? options.format({ instruction: options.instruction, references, target: task.layer }) : undefined },
      options.referencePlacement,
    );
  const base = { id: slot.id, model: slot.label, index: slot.index, layer: task.layer };
  let proposal: Proposal | undefined;
  let cuts: FittedCall["cuts"];
  const startedAt = now();
  try {
    const fitted = await fitCall(inputLimitOf(slot, slot.peekModel() ?? (await slot.getModel())), task.layer > 1 ? task.references : [], build);
    cuts = fitted.cuts;
    const answer = await callModel(slot, fitted.messages, config, { role: "proposer", layer: task.layer, hidden: settings.hidden }, {
      timeoutMs: options.timeouts.proposerMs,
      retry: options.retry,
      deadline: turnDeadline(options.timeouts.turnMs, task),
      ...(quorum ? { signal: quorum.signal } : {}),
    });
    const read = proposalText(answer.message);
    const outcome =
      "text" in read ? read : { empty: read.empty, error: { ...toCallError(new Error(describeEmptyAnswer(read.empty)), slot, options.redact), name: "EmptyAnswerError" } };
    const usage = reportedUsage(answer.message.usage_metadata);
    const cost = callCost(usage, slot.price);
    // A key before the spreads: V8 11 (Node 20) adds each key after a leading spread in the runtime, ~1 µs apiece.
    proposal = { startedAt, ...base, ...outcome, endedAt: answer.endedAt, attempts: answer.attempts, ...(usage ? { usage } : {}), ...(cost !== undefined ? { cost } : {}), ...(cuts ? { cuts } : {}) };
  } catch (error) {
    const turnOver = isGraphBubbleUp(error) || config.signal?.aborted || (MoATimeoutError.isInstance(error) && error.scope === "turn");
    if (turnOver) throw error;
    const straggler = quorum?.signal.aborted === true;
    proposal = { startedAt, ...base, endedAt: now(), error: toCallError(error, slot, options.redact), ...(straggler ? { straggler } : {}), ...(cuts ? { cuts } : {}) };
  } finally {
    quorum?.settle(proposal?.text !== undefined ? "answered" : "no_answer");
  }
  return proposal;
}
