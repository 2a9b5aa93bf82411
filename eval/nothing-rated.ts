/**
 * A run in which no answer got a rating has measured nothing, however it ended: it must not look like a
 * finished evaluation. This says why it came to that, in words for the person who ran it.
 */
import { ratingsBySystem } from "./ratings.js";
import type { EvaluationRecords } from "./records.js";
import { replyStart } from "./unreadable-verdicts.js";

/** Why no answer of `records` was rated; undefined when at least one was. */
export function whyNothingRated(records: EvaluationRecords): string | undefined {
  if (ratingsBySystem(records.judgements).size > 0) return undefined;
  const failed = records.failures.length;
  const calls = (n: number) => `${n} call${n === 1 ? "" : "s"}`;
  const judgeFailures = records.failures.filter((failure) => failure.stage !== "answer").length;
  const unreadable = records.judgements.filter((judgement) => judgement.kind === "single" && judgement.verdict === null).length;
  if (records.answers.length === 0 && failed > 0) return `every answer failed (${calls(failed)})`;
  if (judgeFailures > 0) return `${records.answers.length} answer(s) came, but the judge's ${calls(judgeFailures)} failed${unreadable > 0 ? ` and ${unreadable} of its verdicts could not be read` : ""}`;
  if (unreadable > 0) return `the judge's ${unreadable} verdict(s) held no readable [[rating]]; its first reply began: "${firstReply(records)}"`;
  return "no answer was asked for";
}

function firstReply(records: EvaluationRecords): string {
  return replyStart(records.judgements.find((judgement) => judgement.verdict === null)?.unreadableReply ?? "", 120);
}
