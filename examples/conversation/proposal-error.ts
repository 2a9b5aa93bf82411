/** Why a proposer call failed, as the conversation example and the web playground show it. */
import type { ProposalEvent } from "../../src/index.js";

/** Why a proposer call failed, whole, without the model's name in front (the caller shows it already). */
export function proposalError(event: Pick<ProposalEvent, "model"> & { error?: { message: string } }): string {
  const message = (event.error?.message ?? "").trim();
  const rest = message.startsWith(event.model) ? message.slice(event.model.length).replace(/^\s*(\([^)]*\))?\s*:?\s*/, "") : message;
  return rest === "" ? message : rest;
}
