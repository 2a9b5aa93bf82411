import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { ProposersFailedError } from "../errors.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { Proposal } from "../state/proposal.js";
import type { MoAState, MoAStateUpdate } from "../state/state.js";
import { answered, type CallRecord, type EarlyExit, type LayerTrace } from "../state/trace.js";
import { totalUsage } from "../models/usage.js";
import { totalCost } from "../models/cost-total.js";
import { agreementOf, turnBounds, type Answered } from "./agreement.js";
import { needsAggregator } from "../state/answer-format.js";
import { answerFormatOf } from "./answer-format-of.js";
import { fromCallError } from "./call-error.js";

/**
 * The trace record of one proposal. A proposal with no request made (`attempts: 0`) is `skipped`, its
 * proposer having failed with a lasting error in `failedLayer` (or an earlier layer, when not given).
 */
export function toCallRecord(proposal: Proposal, failedLayer?: number): CallRecord {
  return {
    id: proposal.id,
    model: proposal.model,
    layer: proposal.layer,
    status: proposal.straggler ? "straggler" : proposal.empty ? "empty" : proposal.error ? "failed" : "ok",
    startedAt: proposal.startedAt,
    latencyMs: proposal.endedAt - proposal.startedAt,
    ...(proposal.usage ? { usage: proposal.usage } : {}),
    ...(proposal.cost !== undefined ? { cost: proposal.cost } : {}),
    ...(proposal.attempts && proposal.attempts > 1 ? { attempts: proposal.attempts } : {}),
    ...(proposal.error ? { error: proposal.error.message } : {}),
    ...(proposal.attempts === 0 ? { skipped: skippedReason(proposal, failedLayer) } : {}),
    ...(proposal.empty ? { empty: proposal.empty } : {}),
    ...(proposal.cuts ? { cuts: proposal.cuts } : {}),
  };
}

/**
 * The `join` node: runs once the whole layer is in. It orders the layer's proposals by proposer (never
 * by arrival), applies `minProposals` (counting only answers with text: failed, cut-off and empty
 * ones are not proposals), records the layer in the trace, and hands the answers on as the references
 * of the next step. With `earlyExit`, it records in the trace when the layer's proposals agree, which
 * ends the proposer layers (and, with `skipAggregator`, names the proposal that answers).
 */
export function createJoinNode(options: ResolvedMoAOptions) {
  return async function join(state: MoAState, config: LangGraphRunnableConfig): Promise<MoAStateUpdate> {
    const layer = state.trace.layers.length + 1;
    const proposals = state.proposals.filter((p) => p.layer === layer).sort((a, b) => a.index - b.index);
    const references = proposals.flatMap((p) => (p.text !== undefined ? [p.text] : []));
    if (references.length < options.minProposals) {
      const failures = proposals.flatMap((p) => (p.error ? [{ id: p.id, layer, error: fromCallError(p.error) }] : []));
      throw new ProposersFailedError(layer, references.length, options.minProposals, failures);
    }
    const calls = proposals.map((p) => toCallRecord(p, p.attempts === 0 ? firstFailedLayer(state.proposals, p.index) : undefined));
    const answers = calls.filter(answered);
    const layerTrace: LayerTrace = {
      layer,
      wallMs: Math.max(...proposals.map((p) => p.endedAt)) - Math.min(...proposals.map((p) => p.startedAt)),
      ...totalUsage(answers),
      ...(options.priced ? totalCost(answers) : {}),
      calls,
    };
    const earlyExit = await earlyExitAfter(options, state, layer, proposals, config);
    return {
      references,
      trace: { ...state.trace, layers: [...state.trace.layers, layerTrace], calls: state.trace.calls + proposals.filter((p) => p.attempts !== 0).length, ...(earlyExit ? { earlyExit } : {}) },
    };
  };
}

/**
 * The early exit after `layer`, when its proposals agree and it would skip something: the layers after
 * it, or the aggregator (`skipAggregator`, not when the answer must call tools or be structured: only an
 * aggregator can).
 */
async function earlyExitAfter(options: ResolvedMoAOptions, state: MoAState, layer: number, proposals: readonly Proposal[], config: LangGraphRunnableConfig): Promise<EarlyExit | undefined> {
  if (options.earlyExit === undefined) return undefined;
  const format = answerFormatOf(config, options.answerFormat);
  const skipAggregator = options.earlyExit.skipAggregator && options.aggregation === "aggregator" && !needsAggregator(format);
  if (layer >= options.layers && !skipAggregator) return undefined;
  return agreementOf(options, layer, proposals.filter((p): p is Answered => p.text !== undefined), skipAggregator, turnBounds(options, state, config));
}

/** Why a proposal's request was not made. */
function skippedReason(proposal: Proposal, failedLayer: number | undefined): string {
  const where = failedLayer === undefined ? "an earlier layer" : `layer ${failedLayer}`;
  const kind = proposal.error?.kind === "refused_key" ? "its key was refused" : proposal.error?.kind === "unknown_model" ? "the server does not have the model" : `it failed (${proposal.error?.kind ?? "error"})`;
  return `not called: in ${where} of this turn ${kind}, which another call would only repeat`;
}

/** The first layer of the turn in which proposer `index` made a call that failed. */
function firstFailedLayer(proposals: readonly Proposal[], index: number): number | undefined {
  const layers = proposals.filter((p) => p.index === index && p.error !== undefined && p.attempts !== 0).map((p) => p.layer);
  return layers.length > 0 ? Math.min(...layers) : undefined;
}
