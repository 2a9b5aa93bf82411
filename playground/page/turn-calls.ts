/**
 * The proposer calls of a turn, per layer, as the page shows them: from the run's `custom` events while
 * it runs (a call starts, then ends with its proposal), and from the stored trace and the texts kept in
 * the browser once it is over.
 */
import type { CallRecord, MoATrace, ProposalEvent, ProposalStartEvent } from "../../src/index.js";
import { proposalError } from "../../examples/conversation/proposal-error.js";

/** One proposer call, running or over. */
export interface CallView {
  /** The proposer id (unique within the MoA). */
  readonly id: string;
  /** The model's label, the card's name. */
  readonly model: string;
  readonly layer: number;
  readonly state: "running" | "ok" | "failed";
  /** The answer, when the page saw it (a stored thread keeps no proposal text). */
  readonly text?: string;
  /** Why there is no answer, in one line. */
  readonly error?: string;
  readonly latencyMs?: number;
  readonly usage?: ProposalEvent["usage"];
  /** Cost in the prices' currency, when the model has a price. */
  readonly cost?: number;
}

/** A `custom` stream event of the MoA. */
export type MixtureEvent = ProposalEvent | ProposalStartEvent;

/** Whether `data` (a `custom` event's payload) is one of the MoA's proposer events. */
export function isMixtureEvent(data: unknown): data is MixtureEvent {
  const event = (data as { event?: unknown } | null)?.event;
  return event === "moa_proposal" || event === "moa_proposal_start";
}

const keyOf = (call: { id: string; layer: number }) => `${call.layer}:${call.id}`;

const oneLine = (text: string) => text.split("\n")[0]!.trim() || "no answer";

/** Why a proposal has no text, in one line, without the model's name in front. */
function proposalFailure(event: Pick<ProposalEvent, "model" | "error">): string {
  return oneLine(proposalError(event));
}

/** `calls` with `event` applied: a start adds a running card, a proposal replaces it with its outcome. */
export function applyEvent(calls: readonly CallView[], event: MixtureEvent): CallView[] {
  const base = { id: event.id, model: event.model, layer: event.layer };
  const view: CallView =
    event.event === "moa_proposal_start"
      ? { ...base, state: "running" }
      : {
          ...base,
          state: event.text !== undefined ? "ok" : "failed",
          ...(event.text !== undefined ? { text: event.text } : { error: proposalFailure(event) }),
          latencyMs: event.endedAt - event.startedAt,
          ...(event.usage ? { usage: event.usage } : {}),
          ...(event.cost !== undefined ? { cost: event.cost } : {}),
        };
  const at = calls.findIndex((call) => keyOf(call) === keyOf(view));
  if (at < 0) return [...calls, view];
  return calls.map((call, i) => (i === at ? view : call));
}

/** Texts of a turn's proposals, by layer and proposer id. */
export type ProposalTexts = Readonly<Record<string, string>>;

/** The texts of `calls` that answered. */
export function textsOf(calls: readonly CallView[]): ProposalTexts {
  return Object.fromEntries(calls.flatMap((call) => (call.text !== undefined ? [[keyOf(call), call.text]] : [])));
}

function fromRecord(record: CallRecord, layer: number, texts: ProposalTexts): CallView {
  const text = texts[keyOf({ id: record.id, layer })];
  return {
    id: record.id,
    model: record.model,
    layer,
    state: record.status === "ok" ? "ok" : "failed",
    ...(text !== undefined ? { text } : {}),
    ...(record.status !== "ok" ? { error: record.error !== undefined ? oneLine(proposalError({ model: record.model, error: { message: record.error } })) : record.status === "straggler" ? "cut off: the layer's quorum stopped waiting" : "no answer" } : {}),
    latencyMs: record.latencyMs,
    ...(record.usage ? { usage: record.usage } : {}),
    ...(record.cost !== undefined ? { cost: record.cost } : {}),
  };
}

/** The proposer calls of a finished turn, from its trace, with the texts the page kept. */
export function callsOfTrace(trace: MoATrace, texts: ProposalTexts): CallView[] {
  return trace.layers.flatMap((layer) => layer.calls.map((call) => fromRecord(call, layer.layer, texts)));
}

/** `calls` grouped by layer, in layer order. */
export function byLayer(calls: readonly CallView[]): Array<{ layer: number; calls: CallView[] }> {
  const layers = new Map<number, CallView[]>();
  for (const call of calls) layers.set(call.layer, [...(layers.get(call.layer) ?? []), call]);
  return [...layers.entries()].sort(([a], [b]) => a - b).map(([layer, list]) => ({ layer, calls: list }));
}
