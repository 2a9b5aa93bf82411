/** The verdicts of a run that could not be read from the judge's reply, as its report lists them. */
import type { EvaluationRecords } from "./records.js";
import type { UnreadableVerdict } from "./report-types.js";
import type { EvalSystem } from "./systems.js";

/** Characters of a reply kept in the report. */
const REPLY_CHARS = 200;

/** Each unreadable verdict of `records`, its systems named by label, the judge's last reply shortened to one line. */
export function unreadableVerdicts(records: EvaluationRecords, systems: readonly EvalSystem[]): UnreadableVerdict[] {
  const labels = new Map(systems.map((system) => [system.id, system.label]));
  return records.judgements.flatMap((judgement) =>
    judgement.verdict !== null
      ? []
      : [{
          kind: judgement.kind,
          systems: judgement.systems.map((id) => labels.get(id) ?? id),
          question: judgement.question,
          turn: judgement.turn,
          attempts: judgement.attempts,
          reply: replyStart(judgement.unreadableReply ?? "", REPLY_CHARS),
        }],
  );
}

/** `reply` on one line, cut to `max` characters with `…` when longer. */
export function replyStart(reply: string, max: number): string {
  const flat = reply.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
