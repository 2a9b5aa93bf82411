/**
 * One turn of the conversation: streams the MoA's run and reports each proposal and each token of the
 * final answer as they come; the outcome says whether it was answered, cancelled or failed.
 */
import type { BaseMessage, UsageMetadata } from "@langchain/core/messages";
import { PROPOSAL_EVENT, getMoATrace, type MoATrace, type ProposalEvent } from "../../src/index.js";
import type { Conversation } from "./conversation.js";

/** What a turn reports while it runs. */
export interface TurnListener {
  /** A proposer call finished (answered, failed or cut off). */
  proposal(event: ProposalEvent): void;
  /** A piece of the final answer. */
  token(text: string): void;
}

/** How a turn ended. */
export type TurnOutcome =
  | { readonly kind: "answered"; readonly text: string; readonly trace?: MoATrace; readonly usage?: UsageMetadata; readonly elapsedMs: number }
  | { readonly kind: "cancelled"; readonly elapsedMs: number }
  | { readonly kind: "failed"; readonly error: unknown; readonly elapsedMs: number };

/** Runs one turn saying `text` on the conversation's thread; `signal` cancels it (the thread is left as it was). */
export async function runTurn(conversation: Conversation, text: string, signal: AbortSignal, listener: TurnListener): Promise<TurnOutcome> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  try {
    const input = { messages: await conversation.inputFor(text) };
    const stream = await conversation.graph.stream(input, { ...conversation.threadConfig, streamMode: ["messages", "custom"], signal });
    for await (const [mode, payload] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === "custom" && (payload as ProposalEvent).event === PROPOSAL_EVENT) listener.proposal(payload as ProposalEvent);
      if (mode === "messages") {
        const [chunk, metadata] = payload as [BaseMessage, Record<string, unknown>];
        if (metadata.moa_role === "aggregator" && chunk.text !== "") listener.token(chunk.text);
      }
    }
    const answer = (await conversation.history()).at(-1);
    if (answer === undefined) throw new Error("the turn ended without an answer");
    const trace = getMoATrace(answer);
    const usage = (answer as { usage_metadata?: UsageMetadata }).usage_metadata;
    return { kind: "answered", text: answer.text, elapsedMs: elapsed(), ...(trace ? { trace } : {}), ...(usage ? { usage } : {}) };
  } catch (error) {
    if (signal.aborted) return { kind: "cancelled", elapsedMs: elapsed() };
    return { kind: "failed", error, elapsedMs: elapsed() };
  }
}
