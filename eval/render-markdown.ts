/** The report as Markdown: the verdict first, then the tables it rests on. */
import { formatCost } from "../src/index.js";
import type { Interval } from "./bootstrap.js";
import { modelsLine } from "./describe-mixture.js";
import { duration, percent, signed, times } from "./format-numbers.js";
import type { CostSummary, EvalReport } from "./report-types.js";

/** How many failures the Markdown lists (all are in the JSON). */
const LISTED_FAILURES = 20;

/** Renders `report`; `chartFile` is the chart's file name beside the Markdown. */
export function renderMarkdown(report: EvalReport, chartFile = "scores.svg"): string {
  // Only a report with prices has a cost column; one without reads as before.
  const money = [...report.systems.map((system) => system.cost), report.judge.cost].some((cost) => cost.cost !== undefined);
  const costCells = (cost: CostSummary) => [...usageCells(cost), ...(money ? [moneyCell(cost)] : [])];
  const costHeader = money ? ["Cost"] : [];
  const lines = [
    "# Does the mixture beat its best model?",
    "",
    `**${report.verdict}**`,
    "",
    `${report.questionSet}: ${count(report.questions, "question")}, ${count(report.turns, "turn")}, ${count(report.categories.length, "category", "categories")}. ` +
      `Judge: ${report.judge.label}. Ratings are MT-Bench's single-answer grading (1-10); intervals are 95 % percentile bootstrap ` +
      `intervals over questions (${report.bootstrap.resamples} resamples, seed ${report.bootstrap.seed}).`,
    ...(report.mixture ? ["", systemsCompared(report)] : []),
    "",
    `![Mean rating per system and category](${chartFile})`,
    "",
    "## Ratings and cost",
    "",
    table(
      ["System", "Rating (95 % CI)", ...turnHeaders(report), "Rated", "Unreadable", "Missing", "Calls", "Tokens in", "Tokens out", "Answer time", ...costHeader],
      report.systems.map((system) => [
        system.label + (system.label === report.bestSingle ? " (best single)" : ""),
        interval(system.score),
        ...system.turns.map((turn) => interval(turn)),
        String(system.score.n), String(system.unreadable), String(system.missing),
        ...costCells(system.cost),
      ]),
    ),
    "",
    "Answer time is the sum of every answer's wall time (answers ran concurrently, so the run took less)." + (money ? ` ${COST_NOTE}` : ""),
  ];
  for (const system of report.systems.filter((s) => s.degraded > 0)) {
    lines.push("", `${system.label}: ${system.degraded} answer(s) were written although a model call failed (e.g. the MoA without a proposer); they are rated here and asked again by the next run.`);
  }
  if (report.difference && report.bestSingle) {
    lines.push("", `MoA minus ${report.bestSingle}, paired by question: ${signed(report.difference.mean)} (95 % CI ${signed(report.difference.low)} to ${signed(report.difference.high)}, ${report.difference.n} turns).`);
  }
  if (report.costRatio && report.bestSingle) {
    const { calls, tokens, wallTime } = report.costRatio;
    lines.push("", `Cost of the MoA against ${report.bestSingle}: ${times(calls)} the calls, ${tokens === null ? "tokens not reported" : `${times(tokens)} the tokens`}, ${times(wallTime)} the answer time.`);
  }
  const pairwise = report.pairwise;
  if (pairwise) {
    lines.push(
      "", `## Head to head: MoA vs ${pairwise.opponent}`, "",
      "Each turn is judged twice, the MoA shown first and then second; when the two verdicts disagree the turn counts as a tie (MT-Bench's rule, which cancels position bias).",
      "",
      table(
        ["Turns compared", "Wins", "Ties", "Losses", "Win rate (95 % CI)", "Loss rate (95 % CI)", "Win rate, ties as half (95 % CI)", "Orders disagreed", "Unreadable", "Missing"],
        [[String(pairwise.compared), String(pairwise.wins), String(pairwise.ties), String(pairwise.losses), rate(pairwise.winRate), rate(pairwise.lossRate), rate(pairwise.adjustedWinRate), String(pairwise.inconsistent), String(pairwise.unreadable), String(pairwise.missing)]],
      ),
    );
  }
  lines.push(
    "", "## By category", "",
    table(["Category", ...report.systems.map((system) => system.label)], report.categories.map((category) => [category, ...report.systems.map((system) => interval(system.categories[category]))])),
    "", "## Judge", "",
    table(["Judge", "Verdicts", "Unreadable", "Calls", "Tokens in", "Tokens out", "Time", ...costHeader], [[report.judge.label, String(report.judge.cost.answers), String(report.judge.unreadable), ...costCells(report.judge.cost)]]),
  );
  if (report.failures.length > 0) {
    lines.push("", `## Failures (${report.failures.length})`, "", "Failed calls are not cached: running the same command again asks them again.", "");
    lines.push(table(["Stage", "System", "Question", "Turn", "Error"], report.failures.slice(0, LISTED_FAILURES).map((failure) => [failure.stage, failure.system, failure.question, String(failure.turn), failure.error])));
    if (report.failures.length > LISTED_FAILURES) lines.push("", `… and ${report.failures.length - LISTED_FAILURES} more in report.json.`);
  }
  if (report.unreadableVerdicts.length > 0) {
    const unreadable = report.unreadableVerdicts;
    lines.push("", `## Unreadable verdicts (${unreadable.length})`, "", "The judge's reply held no verdict in the required format; left out, and not cached: running the same command again asks the judge again.", "");
    lines.push(table(["Kind", "System", "Question", "Turn", "The judge's last reply"], unreadable.slice(0, LISTED_FAILURES).map((verdict) => [verdict.kind, verdict.systems.join(" vs "), verdict.question, String(verdict.turn), verdict.reply])));
    if (unreadable.length > LISTED_FAILURES) lines.push("", `… and ${unreadable.length - LISTED_FAILURES} more in report.json.`);
  }
  return `${lines.join("\n")}\n`;
}

/** Which MoA this is, e.g. `Systems: the MoA (proposers a, b; aggregator c; 2 layers) and each proposer alone.` */
function systemsCompared(report: EvalReport): string {
  const mixture = report.mixture;
  if (!mixture) return "";
  const fallbacks = mixture.aggregator.length > 1 ? " (then the next if one fails)" : "";
  const quorum = mixture.minProposals > 1 ? `; at least ${mixture.minProposals} proposals a layer` : "";
  return `Systems: the MoA (proposers ${modelsLine(mixture.proposers)}; aggregator ${modelsLine(mixture.aggregator)}${fallbacks}; ${count(mixture.layers, "layer")}${quorum}) and each proposer alone.`;
}

function turnHeaders(report: EvalReport): string[] {
  const positions = Math.max(0, ...report.systems.map((system) => system.turns.length));
  return Array.from({ length: positions }, (_, i) => `Turn ${i + 1}`);
}

/** What the cost column says. */
const COST_NOTE =
  "Cost is at the prices the config gives its models, in their currency; ≥ marks a lower bound (some answers had a call without a price or without reported usage, or were cached before the prices were given), n/a no price at all.";

/** Calls, tokens in (with the cached ones), tokens out (with the reasoning ones), time. */
function usageCells(cost: CostSummary): string[] {
  const withDetail = (tokens: number | null, detail: number | undefined, what: string) => (tokens === null ? "n/a" : detail ? `${tokens} (${detail} ${what})` : String(tokens));
  return [String(cost.calls), withDetail(cost.inputTokens, cost.cachedTokens, "cached"), withDetail(cost.outputTokens, cost.reasoningTokens, "reasoning"), duration(cost.wallMs)];
}

/** The cost in money: `0.01235`, `≥ 0.01235` when some answers' cost is unknown, `n/a` when none is known. */
function moneyCell(cost: CostSummary): string {
  if (cost.cost === undefined) return "n/a";
  return `${cost.uncosted ? "≥ " : ""}${formatCost(cost.cost)}`;
}

function table(header: string[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [header, header.map(() => "---"), ...rows].map((row) => `| ${row.map(escape).join(" | ")} |`).join("\n");
}

function interval(value: Interval | undefined): string {
  if (!value || value.n === 0) return "–";
  return `${value.mean.toFixed(2)} (${value.low.toFixed(2)}–${value.high.toFixed(2)})`;
}

function rate(value: Interval): string {
  if (value.n === 0) return "–";
  return `${pct(value.mean)} (${pct(value.low)}–${pct(value.high)})`;
}

const pct = (value: number) => percent(value, 1);
const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
