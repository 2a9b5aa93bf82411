import { BaseCallbackHandler, type HandleLLMNewTokenCallbackFields, type NewTokenIndices } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import { AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import { PROPOSAL_EVENT, type ProposalEvent } from "../nodes/proposal-event.js";

/** The metadata key that tells one turn's calls and events from another's (e.g. of a nested MoA). */
export const TURN_METADATA_KEY = "moa_turn";

/** What a {@link TurnEventsHandler} forwards. */
export interface TurnEventsListeners {
  /** The turn whose events are wanted (the value of the `moa_turn` metadata). */
  readonly turn: string;
  /** Called with each finished proposal. */
  readonly onProposal?: (event: ProposalEvent) => void;
  /** Called with each token chunk of the aggregator. */
  readonly onAggregatorChunk?: (chunk: ChatGenerationChunk) => void;
}

/**
 * A callback handler that picks one turn's proposal events and aggregator tokens out of the callbacks
 * (an MoA nested in this one has its own turn and is left out). It is awaited, not run in the
 * background, so that no token arrives after the turn has ended.
 */
export class TurnEventsHandler extends BaseCallbackHandler {
  override name = "moa_turn_events";
  override awaitHandlers = true;
  private readonly aggregatorRuns = new Set<string>();
  /** Whether the aggregator's tokens go anywhere: only to a caller that streams (see `TokenShowingHandler`). */
  readonly showsTokens: boolean;

  constructor(private readonly listeners: TurnEventsListeners) {
    super();
    this.showsTokens = listeners.onAggregatorChunk !== undefined;
  }

  override handleChatModelStart(
    _llm: Serialized,
    _messages: BaseMessage[][],
    runId: string,
    _parentRunId?: string,
    _extraParams?: Record<string, unknown>,
    _tags?: string[],
    metadata?: Record<string, unknown>,
  ): void {
    // A draft (a window before the last) is not the answer.
    if (this.isOurs(metadata) && metadata?.moa_role === "aggregator" && metadata.moa_draft !== true) this.aggregatorRuns.add(runId);
  }

  override handleCustomEvent(eventName: string, data: unknown, _runId: string, _tags?: string[], metadata?: Record<string, unknown>): void {
    if (eventName === PROPOSAL_EVENT && this.isOurs(metadata)) this.listeners.onProposal?.(data as ProposalEvent);
  }

  override handleLLMNewToken(
    token: string,
    _idx: NewTokenIndices,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: HandleLLMNewTokenCallbackFields,
  ): void {
    if (!this.aggregatorRuns.has(runId)) return;
    const chunk = fields?.chunk;
    // Some clients (Gemini's) report the token text alone, without its chunk.
    this.listeners.onAggregatorChunk?.(
      chunk !== undefined && "message" in chunk
        ? (chunk as ChatGenerationChunk)
        : new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ content: token }) }),
    );
  }

  private isOurs(metadata: Record<string, unknown> | undefined): boolean {
    return metadata?.[TURN_METADATA_KEY] === this.listeners.turn;
  }
}
