import type { TokenUsage } from "../models/usage.js";
import type { CallError } from "./call-error.js";

/** The outcome of one proposer call, as the `propose` node writes it into the state. */
export interface Proposal {
  /** The proposer's id. */
  readonly id: string;
  /** The proposer's display name. */
  readonly model: string;
  /** The proposer's position; proposals are ordered by it. */
  readonly index: number;
  /** The 1-based layer. */
  readonly layer: number;
  /** The answer's text; absent when the call failed. */
  readonly text?: string;
  /** Tokens the provider reported. */
  readonly usage?: TokenUsage;
  /** Epoch milliseconds when the call started. */
  readonly startedAt: number;
  /** Epoch milliseconds when the call ended. */
  readonly endedAt: number;
  /** Attempts made (more than 1 when a 429, 5xx or dropped connection was retried). */
  readonly attempts?: number;
  /** Why the call failed. */
  readonly error?: CallError;
  /** True when the call was aborted because the layer's quorum was reached and its grace period ran out. */
  readonly straggler?: boolean;
}
