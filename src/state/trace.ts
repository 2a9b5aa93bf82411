import type { BaseMessage } from "@langchain/core/messages";
import type { TokenUsage } from "../models/usage.js";

/** One model call of a turn, as recorded in the trace. */
export interface CallRecord {
  /** The proposer id (unique within the MoA) or the aggregator id. */
  readonly id: string;
  /** The model's display name. */
  readonly model: string;
  /** The 1-based layer, or `"aggregate"`. */
  readonly layer: number | "aggregate";
  /** `ok` when the call answered, `failed` when it threw, `straggler` when a quorum stopped waiting for it. */
  readonly status: "ok" | "failed" | "straggler";
  /** Attempts made, when more than one. */
  readonly attempts?: number;
  /** Wall time of the call in milliseconds. */
  readonly latencyMs: number;
  /** Tokens the provider reported for the call (absent when it reported none). */
  readonly usage?: TokenUsage;
  /** The error the call failed with, as one line. */
  readonly error?: string;
}

/** One proposer layer: who answered, how long the layer took, what it cost. */
export interface LayerTrace {
  /** The 1-based layer. */
  readonly layer: number;
  /** Wall time from the first call's start to the last call's end, in milliseconds. */
  readonly wallMs: number;
  /** Tokens reported by the layer's calls. */
  readonly usage: TokenUsage;
  /** One record per proposer (and sample), ordered by proposer. */
  readonly calls: readonly CallRecord[];
}

/** What a turn did: kept in the graph state and in the final message's `response_metadata.moa`. */
export interface MoATrace {
  /** The proposer layers, in order. */
  readonly layers: readonly LayerTrace[];
  /** The aggregator calls, in the order tried (more than one when a fallback was used). */
  readonly aggregator: readonly CallRecord[];
  /** Tokens of every call of the turn that reported usage. */
  readonly usage: TokenUsage;
  /** Number of model calls made. */
  readonly calls: number;
  /** Wall time of the turn from its first proposer call to the final answer, in milliseconds. */
  readonly wallMs: number;
  /**
   * True when the proposers did not run: the conversation ended with tool results and `proposeOn` is
   * `"user_turn"`, so the aggregator continued the agent loop from the references of the step that
   * called the tools.
   */
  readonly continued?: boolean;
  /**
   * The references the aggregator answered from, kept on an answer that calls tools so that the
   * agent loop's next step can continue from them (see `continued`).
   */
  readonly references?: readonly string[];
}

/** The trace of the turn that produced `message`, or `undefined` when it was not produced by an MoA. */
export function getMoATrace(message: BaseMessage): MoATrace | undefined {
  const trace = (message.response_metadata as Record<string, unknown> | undefined)?.moa;
  return typeof trace === "object" && trace !== null ? (trace as MoATrace) : undefined;
}
