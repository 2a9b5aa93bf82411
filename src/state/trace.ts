import type { BaseMessage } from "@langchain/core/messages";
import type { CallRef, TokenUsage } from "../models/usage.js";
import type { ReferenceCut } from "../prompts/fit-references.js";
import type { EmptyAnswer } from "./proposal.js";

export type { CallRef };

/** One model call of a turn, as recorded in the trace. */
export interface CallRecord {
  /** The proposer id (unique within the MoA) or the aggregator id. */
  readonly id: string;
  /** The model's display name. */
  readonly model: string;
  /** The 1-based layer, or `"aggregate"`. */
  readonly layer: number | "aggregate";
  /**
   * `ok` when the call answered with text; `empty` when it answered with no text (nothing, only tool
   * calls, only reasoning: see `empty`), which is not a proposal; `failed` when it threw; `straggler`
   * when a quorum stopped waiting for it.
   */
  readonly status: "ok" | "empty" | "failed" | "straggler";
  /** Attempts made, when more than one. */
  readonly attempts?: number;
  /**
   * Epoch milliseconds when the call started (its first attempt; for a `skipped` call, when it was skipped).
   * With `latencyMs`, it places the call on the turn's timeline.
   */
  readonly startedAt: number;
  /** Wall time of the call in milliseconds (0 for a `skipped` call). */
  readonly latencyMs: number;
  /** Tokens the provider reported for the call (absent when it reported none). */
  readonly usage?: TokenUsage;
  /**
   * What the call cost at its model's `price` (`ModelSpec.price`), in the price's currency; absent when the
   * model has no price or the provider reported no usage.
   */
  readonly cost?: number;
  /** Why there is no answer, as one line: the error the call failed with, or what an `empty` answer held. */
  readonly error?: string;
  /**
   * Set when no request was made, saying why: the proposer's call failed in an earlier layer of the turn
   * with an error another call would only repeat (an unknown model, a refused key). The record's
   * `status` is then `failed` and its `error` that earlier error; the next turn calls the model again.
   */
  readonly skipped?: string;
  /** For an `empty` answer: what it held instead of text, and the provider's finish reason. */
  readonly empty?: EmptyAnswer;
  /**
   * What was cut from the call's references so that the request fits its model's input limit
   * (`maxInputTokens`): per shortened reference, its position and its tokens before and after.
   */
  readonly cuts?: readonly ReferenceCut[];
  /**
   * An aggregator that read the references in windows (`referenceFit: "windows"`) has one record per
   * window, numbered from 1; its last window's call wrote the answer.
   */
  readonly window?: number;
}

/** True for a call that returned an answer (`ok` or `empty`): the calls whose provider may report usage. */
export function answered(call: CallRecord): boolean {
  return call.status === "ok" || call.status === "empty";
}

/** One proposer layer: who answered, how long the layer took, what it cost. */
export interface LayerTrace {
  /** The 1-based layer. */
  readonly layer: number;
  /** Wall time from the first call's start to the last call's end, in milliseconds. */
  readonly wallMs: number;
  /** Tokens reported by the layer's calls; absent when none of them reported usage (unknown, not zero). */
  readonly usage?: TokenUsage;
  /**
   * The calls of the layer that answered without reporting usage (common for streamed answers of
   * OpenAI-compatible servers): `usage` is then a lower bound. Absent when every answer reported.
   * Failed and cut-off calls are not listed: they returned no answer to report usage with.
   */
  readonly usageMissing?: readonly CallRef[];
  /** What the layer's calls cost, in the prices' currency; absent when none of them had a cost (unknown, not zero). */
  readonly cost?: number;
  /**
   * The calls of the layer that answered without a cost (their model has no price, or they reported no
   * usage): `cost` is then a lower bound. Present only when some model of the MoA has a price; absent
   * when every answer had a cost.
   */
  readonly costMissing?: readonly CallRef[];
  /** One record per proposer (and sample), ordered by proposer. */
  readonly calls: readonly CallRecord[];
}

/** What a turn did: kept in the graph state (`trace`) and given by `getMoATrace` on the turn's answer. */
export interface MoATrace {
  /** The proposer layers, in order. */
  readonly layers: readonly LayerTrace[];
  /** The aggregator calls, in the order tried (more than one when a fallback was used). */
  readonly aggregator: readonly CallRecord[];
  /**
   * Tokens summed over every call of the turn that reported usage; absent when none did (unknown, not
   * zero). The final message's `usage_metadata` is the same, and is absent too then.
   */
  readonly usage?: TokenUsage;
  /**
   * The calls of the turn (proposers of every layer, then the aggregator) that answered without
   * reporting usage; when present and `usage` is too, `usage` is partial: a lower bound. Absent when
   * every answer reported usage.
   */
  readonly usageMissing?: readonly CallRef[];
  /**
   * What the turn's calls cost, summed over those that had a cost (a model with a `price` that reported
   * usage), in the prices' currency; absent when none had one (unknown, not zero).
   */
  readonly cost?: number;
  /**
   * The calls of the turn that answered without a cost (no price, or no usage reported); when present and
   * `cost` is too, `cost` is partial: a lower bound. Present only when some model of the MoA has a price;
   * absent when every answer had a cost.
   */
  readonly costMissing?: readonly CallRef[];
  /** Number of model calls made (calls `skipped` are not counted). */
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
  /** Set when a layer's proposals agreed and the turn stopped early (`earlyExit`). */
  readonly earlyExit?: EarlyExit;
  /** Set when the answer was voted among the last layer's proposals (`aggregation: "vote"`). */
  readonly vote?: VoteRecord;
}

/** Why and where a turn stopped early: a layer whose proposals agreed. */
export interface EarlyExit {
  /** The layer whose proposals agreed. */
  readonly layer: number;
  /** Why, in words, e.g. `the 3 proposals of layer 1 agree (normalized_text)`. */
  readonly reason: string;
  /** Proposer layers not run. */
  readonly skippedLayers: number;
  /** Set when the aggregator was not called either: the answer is the agreed proposal of this proposer id. */
  readonly answeredBy?: string;
}

/** A vote among the last layer's proposals. */
export interface VoteRecord {
  /** How the proposals were compared: `normalized_text`, `bleu`, `embeddings` or `function`. */
  readonly similarity: string;
  /** Each proposal's total similarity to the others, by proposer id, in proposer order. */
  readonly votes: ReadonlyArray<{ readonly id: string; readonly score: number }>;
  /** The proposer id whose proposal won (the highest score; on a tie, the earliest proposer). */
  readonly winner: string;
}

/** Where a returned answer holds its turn's whole trace: a property no serializer writes (a checkpoint keeps the summary alone). */
const TRACE = Symbol.for("langgraph-moa.trace");

/** Traces of this process's recent turns, by turn id, for answers rebuilt from chunks or read back from a thread. */
const recentTraces = new Map<string, MoATrace>();
/** How many recent turns' traces are kept (a few kB each). */
const RECENT_TRACES = 256;

/**
 * Gives `message`, the answer of turn `turnId`, its turn's whole trace: on the message object itself, and among
 * the recent turns' traces of the process, where an answer rebuilt from its streamed chunks or read back from
 * a thread finds it by its summary's `turnId`.
 */
export function attachTrace(message: BaseMessage, trace: MoATrace, turnId: string): void {
  Object.defineProperty(message, TRACE, { value: trace, enumerable: false, configurable: true });
  recentTraces.delete(turnId);
  recentTraces.set(turnId, trace);
  if (recentTraces.size > RECENT_TRACES) recentTraces.delete(recentTraces.keys().next().value as string);
}

/**
 * The whole trace of the turn that produced `message`: the answer a graph or `MixtureOfAgents` returned (or
 * one rebuilt from its streamed chunks, or read back from a thread) in the process that ran the turn, while
 * it is one of the process's 256 most recent turns. `undefined` for any other message. A thread stores an
 * answer with its summary alone (`getMoASummary`), which says where the whole trace is kept.
 */
export function getMoATrace(message: BaseMessage): MoATrace | undefined {
  const attached = (message as unknown as Record<symbol, MoATrace | undefined>)[TRACE];
  if (attached !== undefined) return attached;
  const moa = (message.response_metadata as Record<string, unknown> | undefined)?.moa as { turnId?: unknown; layers?: unknown } | undefined;
  if (typeof moa !== "object" || moa === null) return undefined;
  if (typeof moa.turnId === "string") return recentTraces.get(moa.turnId);
  // An answer stored whole, as answers were before their summary.
  return Array.isArray(moa.layers) ? (moa as unknown as MoATrace) : undefined;
}
