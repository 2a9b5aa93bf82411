/** The turn's final answer, streamed token by token, rendered as Markdown, with what the turn did. */
import type { MoAAnswerSummary } from "../../src/index.js";
import { duration, money } from "./format.js";
import { MarkdownText } from "./markdown-text.js";

/** What the Answer card says while there is no text yet. */
export type AnswerWait = "proposers" | "stopped" | "failed" | undefined;

/** The `article` named "Answer". */
export function AnswerCard({ text, summary, wait }: { text: string | undefined; summary?: MoAAnswerSummary; wait: AnswerWait }) {
  const cost = summary?.cost;
  return (
    <article className="answer" aria-label="Answer" aria-busy={wait === "proposers" || undefined}>
      <h4>Answer</h4>
      {text !== undefined && text !== "" ? <MarkdownText text={text} /> : null}
      {(text === undefined || text === "") && wait === "proposers" ? <p className="status">Waiting for the proposers and the aggregator…</p> : null}
      {(text === undefined || text === "") && wait === "stopped" ? <p className="status">Stopped before an answer.</p> : null}
      {(text === undefined || text === "") && wait === "failed" ? <p className="status">No answer: the turn failed.</p> : null}
      {summary ? (
        <p className="facts">
          by {summary.answeredBy} · {summary.layers} layer{summary.layers === 1 ? "" : "s"} · {summary.calls} calls
          {summary.failedCalls ? ` (${summary.failedCalls} without an answer)` : ""} · {duration(summary.wallMs)}
          {cost !== undefined ? ` · cost ${summary?.costMissing ? "≥ " : ""}${money(cost)}` : ""}
        </p>
      ) : null}
    </article>
  );
}
