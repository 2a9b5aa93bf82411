import { BaseCallbackHandler, type HandleLLMNewTokenCallbackFields, type NewTokenIndices } from "@langchain/core/callbacks/base";
import type { ChatGenerationChunk } from "@langchain/core/outputs";
import { PROPOSAL_EVENT, type ProposalEvent } from "../nodes/propose.js";

/** What a {@link TurnEventsHandler} forwards. */
export interface TurnEventsListeners {
  /** Called with each finished proposal. */
  readonly onProposal?: (event: ProposalEvent) => void;
  /** Called with each token chunk of the aggregator; when set, model calls stream. */
  readonly onAggregatorChunk?: (chunk: ChatGenerationChunk) => void;
}

/**
 * A callback handler that picks the proposal events and the aggregator's tokens out of a turn's
 * callbacks. It is awaited (not run in the background) so no token arrives after the turn has ended.
 */
export class TurnEventsHandler extends BaseCallbackHandler {
  override name = "moa_turn_events";
  override awaitHandlers = true;
  readonly lc_prefer_streaming: boolean;

  constructor(private readonly listeners: TurnEventsListeners) {
    super();
    this.lc_prefer_streaming = listeners.onAggregatorChunk !== undefined;
  }

  override handleCustomEvent(eventName: string, data: unknown): void {
    if (eventName === PROPOSAL_EVENT) this.listeners.onProposal?.(data as ProposalEvent);
  }

  override handleLLMNewToken(
    _token: string,
    _idx: NewTokenIndices,
    _runId: string,
    _parentRunId?: string,
    tags?: string[],
    fields?: HandleLLMNewTokenCallbackFields,
  ): void {
    const chunk = fields?.chunk;
    if (chunk !== undefined && "message" in chunk && tags?.includes("moa:aggregator")) {
      this.listeners.onAggregatorChunk?.(chunk as ChatGenerationChunk);
    }
  }
}
