import type { ProposalEvent } from "../nodes/proposal-event.js";

/** One proposal as a readable block: a header with layer, model and time, then the text (or the error). */
export function formatProposal(event: ProposalEvent): string {
  const seconds = ((event.endedAt - event.startedAt) / 1000).toFixed(1);
  const header = `[MoA layer ${event.layer} · ${event.id} · ${seconds}s]`;
  return event.error ? `${header} failed: ${event.error.name}: ${event.error.message}` : `${header}\n${event.text ?? ""}`;
}
