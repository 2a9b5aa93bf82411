import type { Proposal } from "../state/proposal.js";

/** The name of the callback event and the `custom` stream event emitted for each finished proposal. */
export const PROPOSAL_EVENT = "moa_proposal";

/**
 * The payload of a {@link PROPOSAL_EVENT}: a proposal, labelled with its event name. It carries `text`
 * for an answer, or `error` for a call that failed, was cut off (`straggler`) or answered no text
 * (`empty`, with what it held instead and the provider's finish reason).
 */
export interface ProposalEvent extends Proposal {
  /** Always {@link PROPOSAL_EVENT}. */
  readonly event: typeof PROPOSAL_EVENT;
}

/** The name of the `custom` stream event emitted when a proposer's call starts, so a UI can show it running. */
export const PROPOSAL_START_EVENT = "moa_proposal_start";

/** The payload of a {@link PROPOSAL_START_EVENT}: who starts, in which layer, and when. */
export interface ProposalStartEvent extends Pick<Proposal, "id" | "model" | "index" | "layer" | "startedAt"> {
  /** Always {@link PROPOSAL_START_EVENT}. */
  readonly event: typeof PROPOSAL_START_EVENT;
}
