import { formatUsage } from "../models/usage.js";
import type { ProposalEvent } from "../nodes/proposal-event.js";

/**
 * One proposal as a readable block: a header with layer, model, time and the tokens its provider
 * reported, then the text, or what there is instead: the error, or (for an answer with no text) what it held.
 */
export function formatProposal(event: ProposalEvent): string {
  const seconds = ((event.endedAt - event.startedAt) / 1000).toFixed(1);
  const header = `[MoA layer ${event.layer} · ${event.id} · ${seconds}s${event.usage ? ` · ${formatUsage(event.usage)}` : ""}]`;
  if (event.empty) return `${header} empty: ${event.error?.message ?? event.empty.reason}`;
  return event.error ? `${header} failed: ${event.error.name}: ${event.error.message}` : `${header}\n${event.text ?? ""}`;
}
