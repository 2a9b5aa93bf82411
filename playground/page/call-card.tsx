/** One proposer call of a layer: running, its answer with time and tokens, or its failure in one line. */
import { duration, money, tokens } from "./format.js";
import { MarkdownText } from "./markdown-text.js";
import type { CallView } from "./turn-calls.js";

/** The card of `call`: an `article` named by the model's label. */
export function CallCard({ call }: { call: CallView }) {
  const facts = [
    call.latencyMs !== undefined ? duration(call.latencyMs) : undefined,
    call.state === "ok" || call.usage ? tokens(call.usage) : undefined,
    call.cost !== undefined ? `cost ${money(call.cost)}` : undefined,
  ].filter((fact) => fact !== undefined);
  return (
    <article className={`card state-${call.state}`} aria-label={call.model} aria-busy={call.state === "running"}>
      <h4>{call.model}</h4>
      {call.state === "running" ? <p className="status">Running…</p> : null}
      {call.state === "failed" ? (
        <p className="status failure">
          <strong>Failed:</strong> {call.error}
        </p>
      ) : null}
      {call.state === "ok" ? call.text !== undefined ? <MarkdownText text={call.text} /> : <p className="status">Answered (its text is kept only in the browser that watched the turn).</p> : null}
      {facts.length > 0 ? <p className="facts">{facts.join(" · ")}</p> : null}
    </article>
  );
}
