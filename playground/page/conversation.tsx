/**
 * The open thread's conversation, run through `useStream`: each turn with its layers and answer, the
 * running turn live from the run's `custom` events and the aggregator's streamed tokens. A turn that
 * fails or is stopped leaves the thread as it was: the page says so where it happened and puts the
 * message back in the box.
 */
import { useRef, useState } from "react";
import type { Client, Message } from "@langchain/langgraph-sdk";
import { useStream } from "@langchain/langgraph-sdk/react";
import type { MoATrace } from "../../src/index.js";
import { CallCard } from "./call-card.js";
import { Composer } from "./composer.js";
import { useFollowBottom } from "./follow-bottom.js";
import { errorText } from "./error-text.js";
import { keepTexts, keptTexts } from "./kept-texts.js";
import { ASSISTANT_ID } from "./server-url.js";
import { SettingsPanel, type RunChoice } from "./settings-panel.js";
import { applyEvent, callsOfTrace, isMixtureEvent, textsOf, type CallView } from "./turn-calls.js";
import { TurnView } from "./turn-view.js";
import { traceOf, turnsOf } from "./turns.js";
import type { OfferedModelsState } from "./use-offered-models.js";

/** The thread state the page reads. */
type ThreadValues = { messages: Message[]; trace?: MoATrace; turnId?: string };

/** Checkpoints read per thread: one per turn, so the traces of this many turns are shown. */
const HISTORY_LIMIT = 200;

/** What became of the last turn the user sent, when it gave no answer. */
interface Outcome {
  readonly kind: "failed" | "stopped";
  readonly question: string;
  readonly error?: string;
}

/** What the conversation is given. */
export interface ConversationProps {
  readonly client: Client;
  readonly serverUrl: string;
  readonly threadId: string | null;
  readonly onThreadId: (threadId: string) => void;
  readonly choice?: RunChoice;
  readonly onChoice: (choice: RunChoice | undefined) => void;
  readonly offered: OfferedModelsState;
  /** Called when a turn is over, answered or not (the thread list may have changed). */
  readonly onTurnOver: () => void;
}

/** The conversation of one thread. */
export function Conversation({ client, serverUrl, threadId, onThreadId, choice, onChoice, offered, onTurnOver }: ConversationProps) {
  const [draft, setDraft] = useState("");
  const [liveCalls, setLiveCalls] = useState<CallView[]>([]);
  const live = useRef<CallView[]>([]);
  const [liveTurn, setLiveTurn] = useState<number>();
  const [outcome, setOutcome] = useState<Outcome>();
  const sent = useRef("");

  const stream = useStream<ThreadValues>({
    client,
    assistantId: ASSISTANT_ID,
    threadId,
    onThreadId,
    fetchStateHistory: { limit: HISTORY_LIMIT },
    onCustomEvent: (data) => {
      if (!isMixtureEvent(data)) return;
      live.current = applyEvent(live.current, data);
      setLiveCalls(live.current);
    },
    onFinish: (state) => {
      if (typeof state.values.turnId === "string") keepTexts(state.values.turnId, textsOf(live.current));
      onTurnOver();
    },
    onError: (error) => {
      setOutcome({ kind: "failed", question: sent.current, error: errorText(error, serverUrl) });
      setDraft((text) => (text === "" ? sent.current : text));
      onTurnOver();
    },
    onStop: () => {
      setOutcome({ kind: "stopped", question: sent.current });
      setDraft((text) => (text === "" ? sent.current : text));
    },
  });

  const isShown = (message: Message) => stream.getMessagesMetadata(message)?.streamMetadata?.moa_role !== "proposer";
  let turns = turnsOf(stream.messages, isShown);
  // The question of a turn that gave no answer is not on the thread: it is shown with what became of it.
  if (outcome && !stream.isLoading && turns.at(-1)?.answer === undefined && turns.length - 1 === liveTurn) turns = turns.slice(0, -1);

  const send = () => {
    const question = draft.trim();
    if (question === "" || stream.isLoading) return;
    sent.current = question;
    live.current = [];
    setLiveCalls([]);
    setOutcome(undefined);
    setDraft("");
    setLiveTurn(turns.length);
    void stream.submit(
      { messages: [{ type: "human", content: question }] },
      {
        ...(choice ? { config: { configurable: { proposers: [...choice.proposers], aggregator: choice.aggregator, layers: choice.layers } } } : {}),
        streamMode: ["values", "messages-tuple", "custom"],
        optimisticValues: (previous) => ({ ...previous, messages: [...(previous.messages ?? []), { type: "human", content: question, id: `pending-${Date.now()}` }] }),
      },
    );
  };

  const lastText = turns.at(-1)?.answer;
  const end = useFollowBottom<HTMLDivElement>(`${turns.length}:${lastText ? JSON.stringify(lastText.content).length : 0}:${liveCalls.length}:${outcome?.kind ?? ""}:${stream.history.length}`);

  const stop = () => {
    void stream.stop();
  };

  return (
    <div className="conversation" ref={end}>
      {stream.isThreadLoading ? <p className="status">Loading the thread…</p> : null}
      {turns.length === 0 && !stream.isThreadLoading && !outcome ? <p className="status empty">Ask something: several models answer, then one writes the final answer from theirs.</p> : null}
      <ol className="turns">
        {turns.map((turn, index) => {
          const trace = traceOf(stream.history, turn.summary?.turnId);
          const calls = trace ? callsOfTrace(trace, keptTexts(turn.summary!.turnId)) : index === liveTurn ? liveCalls : [];
          return (
            <li key={turn.question.id ?? index}>
              <TurnView turn={turn} calls={calls} trace={trace} latest={index === turns.length - 1} wait={stream.isLoading && index === liveTurn ? "proposers" : undefined} />
            </li>
          );
        })}
      </ol>
      {outcome ? (
        <section className={`outcome outcome-${outcome.kind}`} aria-label={outcome.kind === "failed" ? "Failed turn" : "Stopped turn"}>
          <p role="alert">
            {outcome.kind === "failed" ? `The turn failed: ${outcome.error}` : "Stopped."} The thread is as it was before this turn; your message is back in the box.
          </p>
          <blockquote>{outcome.question}</blockquote>
          {liveCalls.length > 0 ? (
            <div className="cards">
              {liveCalls.map((call) => (
                <CallCard key={`${call.layer}:${call.id}`} call={call.state === "running" ? { ...call, state: "failed", error: outcome.kind === "stopped" ? "stopped" : "did not finish" } : call} />
              ))}
            </div>
          ) : null}
        </section>
      ) : null}
      <SettingsPanel offered={offered.offered} error={offered.error} retry={offered.retry} choice={choice} onChoice={onChoice} />
      <Composer draft={draft} onDraft={setDraft} onSend={send} onStop={stop} running={stream.isLoading} />
    </div>
  );
}
