import type { BaseMessage } from "@langchain/core/messages";
import { dispatchCustomEvent } from "@langchain/core/callbacks/dispatch";
import { isGraphBubbleUp, type LangGraphRunnableConfig } from "@langchain/langgraph";
import type { ResolvedMoAOptions } from "../graph/options.js";
import type { Proposal } from "../graph/proposal.js";
import type { MoAStateUpdate } from "../graph/state.js";
import { injectSystemText } from "../prompts/inject-system-text.js";
import { toCallError } from "./call-error.js";
import { callModel, now } from "./call-model.js";

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
}

/** The name of the callback event and the `custom` stream event emitted for each finished proposal. */
export const PROPOSAL_EVENT = "moa_proposal";

/** The payload of a {@link PROPOSAL_EVENT}: a proposal, labelled with its event name. */
export interface ProposalEvent extends Proposal {
  /** Always {@link PROPOSAL_EVENT}. */
  readonly event: typeof PROPOSAL_EVENT;
}

/** Options of the `propose` node that are not part of the MoA options. */
export interface ProposeNodeSettings {
  /** Hide the proposers' tokens from LangGraph's `messages` stream. */
  readonly hidden?: boolean;
}

/**
 * The `propose` node, run once per proposer per layer (fanned out with `Send`). It returns the
 * proposal, failed or not, and emits it on the `custom` stream and as a callback event.
 */
export function createProposeNode(options: ResolvedMoAOptions, settings: ProposeNodeSettings = {}) {
  return async function propose(task: ProposeTask, config: LangGraphRunnableConfig): Promise<MoAStateUpdate> {
    const slot = options.proposers[task.index];
    if (slot === undefined) throw new RangeError(`No proposer at index ${task.index}`);
    const suffix = task.layer > 1
      ? options.format({ instruction: options.instruction, references: task.references, target: task.layer })
      : undefined;
    const messages = injectSystemText(task.messages, { prefix: slot.system, suffix });
    const base = { id: slot.id, model: slot.label, index: slot.index, layer: task.layer };
    let proposal: Proposal;
    const startedAt = now();
    try {
      const answer = await callModel(slot, messages, config, { role: "proposer", layer: task.layer, hidden: settings.hidden });
      const usage = answer.message.usage_metadata;
      proposal = { ...base, text: answer.message.text, startedAt: answer.startedAt, endedAt: answer.endedAt, ...(usage ? { usage } : {}) };
    } catch (error) {
      if (isGraphBubbleUp(error) || config.signal?.aborted) throw error;
      proposal = { ...base, startedAt, endedAt: now(), error: toCallError(error, slot, options.redact) };
    }
    const event: ProposalEvent = { event: PROPOSAL_EVENT, ...proposal };
    config.writer?.(event);
    await dispatchCustomEvent(PROPOSAL_EVENT, event, config);
    return { proposals: [proposal] };
  };
}
