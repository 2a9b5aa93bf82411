/** A conversation's messages as turns: a question and the MoA's answer to it, with the turn's trace. */
import type { Message, ThreadState } from "@langchain/langgraph-sdk";
import type { MoAAnswerSummary, MoATrace } from "../../src/index.js";

/** One exchange: the user's question and, once written, the answer. */
export interface Turn {
  /** Position among the turns, from 0. */
  readonly index: number;
  readonly question: Message;
  readonly answer?: Message;
  /** The answer's summary (`response_metadata.moa`), when the answer is the MoA's. */
  readonly summary?: MoAAnswerSummary;
}

/** The turns of `messages`; `isShown` leaves out messages that are not the conversation's (a proposer's streamed tokens). */
export function turnsOf(messages: readonly Message[], isShown: (message: Message) => boolean = () => true): Turn[] {
  const turns: Array<{ question: Message; answer?: Message }> = [];
  for (const message of messages) {
    if (message.type === "human") turns.push({ question: message });
    else if (message.type === "ai" && turns.length > 0 && isShown(message)) turns[turns.length - 1]!.answer = message;
  }
  return turns.map((turn, index) => {
    const moa = turn.answer?.response_metadata?.moa as MoAAnswerSummary | undefined;
    return { index, ...turn, ...(typeof moa?.turnId === "string" ? { summary: moa } : {}) };
  });
}

/** The trace of turn `turnId`: the `trace` of the checkpoint that ended it, among `history` (newest first). */
export function traceOf(history: readonly ThreadState<{ trace?: MoATrace; turnId?: string }>[], turnId: string | undefined): MoATrace | undefined {
  if (turnId === undefined) return undefined;
  return history.find((state) => state.values.turnId === turnId && state.next.length === 0)?.values.trace;
}
