/**
 * The one line shown after a turn: how long it took, how many model calls it made, the tokens in and out
 * (as far as the providers reported them), and what it cost when models have prices.
 */
import { MoAError, formatCost, formatUsage, type MoATrace } from "../../src/index.js";
import type { TurnOutcome } from "./run-turn.js";

/** Seconds with one decimal, e.g. `2.4 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * E.g. `2.4 s · 4 calls (1 failed) · 120 tokens in (80 cached), 48 out`. Stragglers a quorum stopped waiting for
 * are `cut off`, answers with no text `empty`; calls not made, as their proposer had failed for good in
 * an earlier layer, `skipped` (`4 calls (1 failed), 1 skipped`). Usage some calls did not report is a lower bound
 * (`≥ 120 tokens in, ≥ 48 out (2 of 3 answers reported)`); usage no call reported is `tokens not reported`.
 * With model prices, the turn's cost follows in the prices' currency (`· cost 0.01235`), as a lower bound when
 * some answers had no cost (`· cost ≥ 0.01235 (2 of 3 answers with a cost)`), or `· cost unknown` when none had.
 */
export function turnSummary(outcome: Extract<TurnOutcome, { kind: "answered" }>): string {
  const trace = outcome.trace;
  const records = trace ? [...trace.layers.flatMap((layer) => layer.calls), ...trace.aggregator] : [];
  const calls = records.filter((call) => call.skipped === undefined);
  const skipped = records.length - calls.length;
  const count = (status: string) => calls.filter((call) => call.status === status).length;
  const notes = [[count("failed"), "failed"], [count("straggler"), "cut off"], [count("empty"), "empty"]].filter(([n]) => Number(n) > 0).map(([n, what]) => `${n} ${what}`);
  const callText = trace ? `${trace.calls} call${trace.calls === 1 ? "" : "s"}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}${skipped > 0 ? `, ${skipped} skipped` : ""}` : "calls unknown";
  const answers = count("ok") + count("empty");
  return `${seconds(outcome.elapsedMs)} · ${callText} · ${tokensText(outcome, answers)}${costText(trace, answers)}`;
}

/** The turn's cost, marked as a lower bound when some answers had none; "" when no model has a price. */
function costText(trace: MoATrace | undefined, answers: number): string {
  const missing = trace?.costMissing?.length ?? 0;
  if (trace?.cost === undefined) return missing > 0 ? " · cost unknown" : "";
  if (missing === 0) return ` · cost ${formatCost(trace.cost)}`;
  return ` · cost ≥ ${formatCost(trace.cost)} (${answers - missing} of ${answers} answers with a cost)`;
}

/** The tokens in and out, marked as a lower bound when some answers did not report theirs. */
function tokensText(outcome: Extract<TurnOutcome, { kind: "answered" }>, answers: number): string {
  const usage = outcome.usage ?? outcome.trace?.usage;
  if (!usage) return "tokens not reported";
  const missing = outcome.trace?.usageMissing?.length ?? 0;
  if (missing === 0) return formatUsage(usage);
  return `≥ ${formatUsage(usage).replace(", ", ", ≥ ")} (${answers - missing} of ${answers} answers reported)`;
}

/** One line saying why a turn failed, without a stack trace. */
export function failureText(error: unknown): string {
  if (MoAError.isInstance(error)) return error.message;
  if (error instanceof Error) return `${error.name === "Error" ? "" : `${error.name}: `}${error.message}`;
  return String(error);
}
