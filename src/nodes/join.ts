import { ProposersFailedError } from "../errors.js";
import type { ResolvedMoAOptions } from "../state/options.js";
import type { Proposal } from "../state/proposal.js";
import type { MoAState, MoAStateUpdate } from "../state/state.js";
import { answered, type CallRecord, type LayerTrace } from "../state/trace.js";
import { totalUsage } from "../models/usage.js";
import { fromCallError } from "./call-error.js";

/** The trace record of one proposal. */
export function toCallRecord(proposal: Proposal): CallRecord {
  return {
    id: proposal.id,
    model: proposal.model,
    layer: proposal.layer,
    status: proposal.straggler ? "straggler" : proposal.empty ? "empty" : proposal.error ? "failed" : "ok",
    latencyMs: proposal.endedAt - proposal.startedAt,
    ...(proposal.usage ? { usage: proposal.usage } : {}),
    ...(proposal.attempts && proposal.attempts > 1 ? { attempts: proposal.attempts } : {}),
    ...(proposal.error ? { error: proposal.error.message } : {}),
    ...(proposal.empty ? { empty: proposal.empty } : {}),
  };
}

/**
 * The `join` node: runs once the whole layer is in. It orders the layer's proposals by proposer (never
 * by arrival), applies `minProposals` (counting only answers with text: failed, cut-off and empty
 * ones are not proposals), records the layer in the trace, and hands the answers on as the references
 * of the next step.
 */
export function createJoinNode(options: ResolvedMoAOptions) {
  return function join(state: MoAState): MoAStateUpdate {
    const layer = state.trace.layers.length + 1;
    const proposals = state.proposals.filter((p) => p.layer === layer).sort((a, b) => a.index - b.index);
    const references = proposals.flatMap((p) => (p.text !== undefined ? [p.text] : []));
    if (references.length < options.minProposals) {
      const failures = proposals.flatMap((p) => (p.error ? [{ id: p.id, layer, error: fromCallError(p.error) }] : []));
      throw new ProposersFailedError(layer, references.length, options.minProposals, failures);
    }
    const calls = proposals.map(toCallRecord);
    const layerTrace: LayerTrace = {
      layer,
      wallMs: Math.max(...proposals.map((p) => p.endedAt)) - Math.min(...proposals.map((p) => p.startedAt)),
      ...totalUsage(calls.filter(answered)),
      calls,
    };
    return {
      references,
      trace: { ...state.trace, layers: [...state.trace.layers, layerTrace], calls: state.trace.calls + proposals.length },
    };
  };
}
