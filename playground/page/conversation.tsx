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

/**
 * Forgets the run `useStream` would join again on the next load (it keeps its id in `sessionStorage` under
 * `lg:stream:<thread id>`): once a run is over, a reload must show the thread, not replay that run.
 */
function forgetRun(): void {
  try {
    for (const key of Object.keys(window.sessionStorage)) if (key.startsWith("lg:stream:")) window.sessionStorage.removeItem(key);
  } catch {
    // no storage: nothing to join again either
  }
}

/** Checkpoints read per thread: one per turn, so the traces of this many turns are shown. */
const HISTORY_LIMIT = 200;

/** What became of the last turn the user sent, when it gave no answer. */
interface Outcome {
  readonly kind: "failed" | "stopped";
  readonly question: string;
  readonly error?: string;
  /** Whether the question was put back in the message box (it was empty). */
  readonly restored: boolean;
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
  /** Opens a new, empty conversation. */
  readonly onNewThread: () => void;
}

/** Why `choice` cannot be sent, or undefined when it can. */
function choiceProblem(choice: RunChoice | undefined): string | undefined {
  if (choice === undefined) return undefined;
  if (choice.proposers.length === 0) return "Choose at least one proposer in the settings.";
  if (!Number.isInteger(choice.layers)) return "Give the number of layers in the settings (a whole number, 1 or more).";
  return undefined;
}

/** The conversation of one thread. */
export function Conversation({ client, serverUrl, threadId, onThreadId, choice, onChoice, offered, onTurnOver, onNewThread }: ConversationProps) {
  const [draft, setDraft] = useState("");
  const [liveCalls, setLiveCalls] = useState<CallView[]>([]);
  const live = useRef<CallView[]>([]);
  const [liveTurn, setLiveTurn] = useState<number>();
  const [outcome, setOutcome] = useState<Outcome>();
  const [loadError, setLoadError] = useState<string>();
  // Messages shown while a turn ran that the thread does not keep (its question, a partial answer): hidden
  // until the thread's values replace them.
  const [unkept, setUnkept] = useState<ReadonlySet<string>>(new Set());
  const sent = useRef("");
  const submitting = useRef(false);
  const shownBefore = useRef(0);

  const giveBack = (kind: Outcome["kind"], error?: string) => {
    const restored = draftRef.current.trim() === "";
    if (restored) setDraft(sent.current);
    setOutcome({ kind, question: sent.current, ...(error !== undefined ? { error } : {}), restored });
  };
  const draftRef = useRef(draft);
  draftRef.current = draft;

  const stream = useStream<ThreadValues>({
    client,
    assistantId: ASSISTANT_ID,
    threadId,
    onThreadId,
    fetchStateHistory: { limit: HISTORY_LIMIT },
    // A reload during a turn joins the run again (the run goes on without the page: see `onDisconnect`).
    reconnectOnMount: true,
    onCustomEvent: (data) => {
      if (!isMixtureEvent(data)) return;
      live.current = applyEvent(live.current, data);
      setLiveCalls(live.current);
    },
    onFinish: (state) => {
      submitting.current = false;
      forgetRun();
      if (typeof state.values.turnId === "string") keepTexts(state.values.turnId, textsOf(live.current));
      onTurnOver();
    },
    onError: (error) => {
      forgetRun();
      if (!submitting.current) {
        setLoadError(errorText(error, serverUrl));
        return;
      }
      submitting.current = false;
      hideUnkept();
      giveBack("failed", errorText(error, serverUrl));
      onTurnOver();
    },
    onStop: () => {
      submitting.current = false;
      forgetRun();
      hideUnkept();
      giveBack("stopped");
    },
  });

  // The callbacks above may be the first render's: they read the latest messages through a ref.
  const shownMessages = useRef<Message[]>([]);
  shownMessages.current = stream.messages;

  /** Hides what the failed or stopped turn added to the messages shown: the thread kept none of it. */
  function hideUnkept() {
    const added = shownMessages.current.slice(shownBefore.current).flatMap((message) => (message.id ? [message.id] : []));
    setUnkept((ids) => new Set([...ids, ...added]));
  }

  const isShown = (message: Message) => stream.getMessagesMetadata(message)?.streamMetadata?.moa_role !== "proposer";
  const turns = turnsOf(
    stream.messages.filter((message) => message.id === undefined || !unkept.has(message.id)),
    isShown,
  );
  // A run joined again after a reload is the last turn's.
  const runningTurn = liveTurn ?? (stream.isLoading ? turns.length - 1 : undefined);
  const problem = choiceProblem(choice);

  const send = () => {
    const question = draft.trim();
    if (question === "" || stream.isLoading || problem !== undefined) return;
    sent.current = question;
    submitting.current = true;
    shownBefore.current = stream.messages.length;
    setLoadError(undefined);
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
        streamResumable: true,
        onDisconnect: "continue",
        optimisticValues: (previous) => ({ ...previous, messages: [...(previous.messages ?? []), { type: "human", content: question, id: `pending-${Date.now()}` }] }),
      },
    );
  };

  const lastText = turns.at(-1)?.answer;
  const end = useFollowBottom<HTMLDivElement>(`${turns.length}:${lastText ? JSON.stringify(lastText.content).length : 0}:${liveCalls.length}:${outcome?.kind ?? ""}:${stream.history.length}`);

  const stop = () => {
    void stream.stop();
  };

  const lastTurn = turns.at(-1);
  const announcement = stream.isLoading
    ? "The mixture is working on the answer."
    : outcome
      ? outcome.kind === "failed"
        ? "The turn failed."
        : "The turn was stopped."
      : lastTurn?.summary
        ? `Answer written by ${lastTurn.summary.answeredBy}.`
        : "";

  return (
    <div className="conversation" ref={end}>
      <p className="visually-hidden" aria-live="polite">
        {announcement}
      </p>
      {loadError !== undefined ? (
        <div className="outcome" role="alert">
          <p>
            Cannot open thread {threadId}: {loadError}
          </p>
          <button type="button" onClick={onNewThread}>
            Start a new thread
          </button>
        </div>
      ) : null}
      {stream.isThreadLoading ? <p className="status">Loading the thread…</p> : null}
      {turns.length === 0 && !stream.isThreadLoading && !outcome && loadError === undefined ? <p className="status empty">Ask something: several models answer, then one writes the final answer from theirs.</p> : null}
      <ol className="turns">
        {turns.map((turn, index) => {
          const trace = traceOf(stream.history, turn.summary?.turnId);
          const calls = trace ? callsOfTrace(trace, keptTexts(turn.summary!.turnId)) : index === runningTurn ? liveCalls : [];
          return (
            <li key={turn.question.id ?? index}>
              <TurnView turn={turn} calls={calls} trace={trace} latest={index === turns.length - 1} wait={stream.isLoading && index === runningTurn ? "proposers" : undefined} />
            </li>
          );
        })}
      </ol>
      {outcome ? (
        <section className={`outcome outcome-${outcome.kind}`} aria-label={outcome.kind === "failed" ? "Failed turn" : "Stopped turn"}>
          <p role="alert">
            {outcome.kind === "failed" ? `The turn failed: ${outcome.error}` : "Stopped."} The thread is as it was before this turn;{" "}
            {outcome.restored ? "your message is back in the box." : "your message is quoted below."}
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
      {problem !== undefined ? <p className="status problem">{problem}</p> : null}
      <Composer draft={draft} onDraft={setDraft} onSend={send} onStop={stop} running={stream.isLoading} blocked={problem !== undefined} />
    </div>
  );
}
