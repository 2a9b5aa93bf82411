/**
 * One turn: the question, the layers' proposer cards, the answer, and where the time and tokens went.
 * Earlier turns keep their layers folded.
 */
import type { MoATrace } from "../../src/index.js";
import { AnswerCard, type AnswerWait } from "./answer-card.js";
import { CallCard } from "./call-card.js";
import { messageText } from "./message-text.js";
import { TokensPerModel, Timeline } from "./timeline.js";
import { byLayer, type CallView } from "./turn-calls.js";
import type { Turn } from "./turns.js";

/** What the view of one turn is given. */
export interface TurnViewProps {
  readonly turn: Turn;
  /** The proposer calls to show (live while the turn runs, else from its trace). */
  readonly calls: readonly CallView[];
  readonly trace?: MoATrace;
  /** Whether this is the latest turn (its layers are open). */
  readonly latest: boolean;
  readonly wait: AnswerWait;
}

/** The `section` of one turn. */
export function TurnView({ turn, calls, trace, latest, wait }: TurnViewProps) {
  const layers = byLayer(calls);
  const answer = turn.answer ? messageText(turn.answer) : undefined;
  return (
    <section className="turn" aria-label={`Turn ${turn.index + 1}`}>
      <div className="question">
        <h3 className="visually-hidden">You</h3>
        <p>{messageText(turn.question)}</p>
      </div>
      {layers.length > 0 ? (
        <details className="layers" open={latest}>
          <summary>
            {layers.length} layer{layers.length === 1 ? "" : "s"} of proposals ({calls.length} calls)
          </summary>
          {layers.map(({ layer, calls: layerCalls }) => (
            <section key={layer} className="layer" aria-label={`Layer ${layer}`}>
              <h4>Layer {layer}</h4>
              <div className="cards">
                {layerCalls.map((call) => (
                  <CallCard key={`${call.layer}:${call.id}`} call={call} />
                ))}
              </div>
            </section>
          ))}
        </details>
      ) : null}
      <AnswerCard text={answer} summary={turn.summary} wait={answer ? undefined : wait} />
      {trace ? (
        <details className="costs" open={latest}>
          <summary>Time and tokens</summary>
          <Timeline trace={trace} turn={turn.index} />
          <TokensPerModel trace={trace} turn={turn.index} />
        </details>
      ) : null}
    </section>
  );
}
