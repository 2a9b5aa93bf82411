import type { BaseMessage } from "@langchain/core/messages";
import type { MoATrace } from "./trace.js";

/**
 * What an MoA answer keeps of its turn in `response_metadata.moa`, and so what a thread stores with it:
 * who answered, how much the turn did, and where the whole trace is. The turn's usage is the answer's
 * `usage_metadata`. Kept small on purpose: a thread stores every answer in every later checkpoint, so
 * what an answer carries is paid for again with each turn.
 */
export interface MoAAnswerSummary {
  /**
   * The turn that wrote the answer (`state.turnId`). Its whole trace is `getMoATrace(answer)` in the process
   * that ran it, and on a thread the `trace` of the thread's checkpoint that ended the turn (the checkpoint
   * whose `values.turnId` is this and whose `next` is empty, in `getStateHistory`).
   */
  readonly turnId: string;
  /** The aggregator that wrote the answer (its display name), or the proposer whose proposal was voted or agreed on. */
  readonly answeredBy: string;
  /** Proposer layers run. */
  readonly layers: number;
  /** Model calls made. */
  readonly calls: number;
  /** Calls that gave no answer (failed, empty or cut off by a quorum), when there were any. */
  readonly failedCalls?: number;
  /** Wall time of the turn from its first proposer call to the answer, in milliseconds. */
  readonly wallMs: number;
  /** Calls that answered without reporting usage, when there were any: `usage_metadata` is then a lower bound. */
  readonly usageMissing?: number;
  /** What the turn cost at the models' prices (`ModelSpec.price`), in their currency; absent when no call had a cost. */
  readonly cost?: number;
  /** Calls that answered without a cost (no price, or no usage reported), when some model has a price: `cost` is then a lower bound. */
  readonly costMissing?: number;
  /** True when the proposers did not run: an agent loop continued from the references of its previous step. */
  readonly continued?: boolean;
  /** On an answer that calls tools, the references it was written from: the agent loop's next step continues from them. */
  readonly references?: readonly string[];
}

/** The summary of `trace` for an answer of turn `turnId` written by `answeredBy`. */
export function summarizeTrace(trace: MoATrace, turnId: string, answeredBy: string): MoAAnswerSummary {
  const records = [...trace.layers.flatMap((layer) => layer.calls), ...trace.aggregator];
  const failedCalls = records.filter((call) => call.status !== "ok").length;
  const usageMissing = trace.usageMissing?.length ?? 0;
  const costMissing = trace.costMissing?.length ?? 0;
  return {
    turnId,
    answeredBy,
    layers: trace.layers.length,
    calls: trace.calls,
    ...(failedCalls > 0 ? { failedCalls } : {}),
    wallMs: trace.wallMs,
    ...(usageMissing > 0 ? { usageMissing } : {}),
    ...(trace.cost !== undefined ? { cost: trace.cost } : {}),
    ...(costMissing > 0 ? { costMissing } : {}),
    ...(trace.continued ? { continued: true } : {}),
    ...(trace.references ? { references: trace.references } : {}),
  };
}

/** The summary an MoA answer carries (`response_metadata.moa`), or `undefined` for any other message. */
export function getMoASummary(message: BaseMessage): MoAAnswerSummary | undefined {
  const moa = (message.response_metadata as Record<string, unknown> | undefined)?.moa as Partial<MoAAnswerSummary> | undefined;
  return typeof moa === "object" && moa !== null && typeof moa.turnId === "string" ? (moa as MoAAnswerSummary) : undefined;
}
