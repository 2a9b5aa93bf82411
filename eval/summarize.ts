/** Turns an evaluation's records into its report: ratings with intervals, the head-to-head, the costs. */
import { bootstrapMean, type BootstrapOptions, type Interval } from "./bootstrap.js";
import { percent, signed, times } from "./format-numbers.js";
import { addCosts } from "./judge.js";
import type { AnswerCost } from "./model-answer.js";
import type { EvalQuestion } from "./questions.js";
import { ratingsBySystem, type Ratings } from "./ratings.js";
import type { EvaluationRecords, JudgementRecord } from "./records.js";
import type { CostRatio, CostSummary, EvalReport, PairwiseSummary, SystemSummary } from "./report-types.js";
import type { EvalSystem } from "./systems.js";
import { unreadableVerdicts } from "./unreadable-verdicts.js";

/** What the report is about, besides the records. */
export interface ReportContext {
  readonly questionSet: string;
  readonly questions: readonly EvalQuestion[];
  readonly systems: readonly EvalSystem[];
  readonly judgeLabel: string;
  readonly bootstrap?: BootstrapOptions;
}

/** The report of a finished run. */
export function summarize(records: EvaluationRecords, context: ReportContext): EvalReport {
  const bootstrap = { resamples: 2000, level: 0.95, seed: 1, ...context.bootstrap };
  const { questions } = context;
  const categories = [...new Set(questions.map((question) => question.category))];
  const ratings = ratingsBySystem(records.judgements);
  const systems = context.systems.map((system) => summarizeSystem(system, records, ratings.get(system.id) ?? new Map(), questions, categories, bootstrap));
  const moa = systems.find((system) => system.kind === "moa");
  const mixture = context.systems.find((system) => system.kind === "moa")?.mixture;
  const best = systems.find((system) => system.id === records.bestSingle);
  const judgeCost = costOf(records.judgements.map((judgement) => judgement.cost));
  const pairwise = moa && best ? summarizePairwise(records.judgements, moa.id, best, questions, bootstrap) : undefined;
  const difference = moa && best ? bootstrapMean(questions.map((question) => pairedDifferences(ratings, moa.id, best.id, question)), bootstrap) : undefined;
  const pairedMeans = moa && best ? meansOverBoth(ratings, moa.id, best.id) : undefined;
  const costRatio = moa && best ? ratioOf(moa.cost, best.cost) : undefined;
  return {
    questionSet: context.questionSet,
    questions: questions.length,
    turns: questions.reduce((sum, question) => sum + question.turns.length, 0),
    categories,
    judge: { label: context.judgeLabel, cost: judgeCost, unreadable: records.judgements.filter((judgement) => judgement.verdict === null).length },
    ...(mixture ? { mixture } : {}),
    systems,
    ...(best ? { bestSingle: best.label } : {}),
    ...(difference ? { difference } : {}),
    ...(pairwise ? { pairwise } : {}),
    ...(costRatio ? { costRatio } : {}),
    verdict: verdictOf(best, pairedMeans, difference, pairwise, costRatio),
    failures: records.failures,
    unreadableVerdicts: unreadableVerdicts(records, context.systems),
    bootstrap: { ...bootstrap, unit: "question" },
  };
}

function summarizeSystem(system: EvalSystem, records: EvaluationRecords, ratings: Map<string, number>, questions: readonly EvalQuestion[], categories: readonly string[], bootstrap: BootstrapOptions): SystemSummary {
  const clustersOf = (include: (question: EvalQuestion, turn: number) => boolean) =>
    questions.map((question) => question.turns.flatMap((_, i) => {
      const rating = ratings.get(`${question.id}|${i + 1}`);
      return rating !== undefined && include(question, i + 1) ? [rating] : [];
    }));
  const turnPositions = Math.max(...questions.map((question) => question.turns.length));
  const unreadable = records.judgements.filter((judgement) => judgement.kind === "single" && judgement.systems[0] === system.id && judgement.verdict === null).length;
  const totalTurns = questions.reduce((sum, question) => sum + question.turns.length, 0);
  const answers = records.answers.filter((answer) => answer.system === system.id);
  return {
    id: system.id,
    label: system.label,
    kind: system.kind,
    score: bootstrapMean(clustersOf(() => true), bootstrap),
    turns: Array.from({ length: turnPositions }, (_, position) => bootstrapMean(clustersOf((_question, turn) => turn === position + 1), bootstrap)),
    categories: Object.fromEntries(categories.map((category) => [category, bootstrapMean(clustersOf((question) => question.category === category), bootstrap)])),
    unreadable,
    missing: totalTurns - ratings.size - unreadable,
    degraded: answers.filter((answer) => (answer.failedCalls ?? 0) > 0).length,
    cost: costOf(answers.map((answer) => answer.cost)),
  };
}

/** The MoA's outcome per turn: both orders agree, or disagree (a tie, as in MT-Bench). */
function summarizePairwise(judgements: readonly JudgementRecord[], moaId: string, best: SystemSummary, questions: readonly EvalQuestion[], bootstrap: BootstrapOptions): PairwiseSummary {
  const verdicts = new Map<string, JudgementRecord["verdict"]>();
  for (const judgement of judgements) {
    if (judgement.kind !== "pairwise") continue;
    const order = judgement.systems[0] === moaId && judgement.systems[1] === best.id ? "moa-first" : judgement.systems[0] === best.id && judgement.systems[1] === moaId ? "moa-second" : undefined;
    if (order) verdicts.set(`${order}|${judgement.question}|${judgement.turn}`, judgement.verdict);
  }
  let wins = 0, ties = 0, losses = 0, inconsistent = 0, unreadable = 0, missing = 0;
  const outcomes = questions.map((question) => question.turns.flatMap((_, i): Array<"win" | "tie" | "loss"> => {
    const first = verdicts.get(`moa-first|${question.id}|${i + 1}`);
    const second = verdicts.get(`moa-second|${question.id}|${i + 1}`);
    if (first === undefined || second === undefined) {
      missing += 1;
      return [];
    }
    if (first === null || second === null) {
      unreadable += 1;
      return [];
    }
    const a = first === "A" ? "win" : first === "B" ? "loss" : "tie";
    const b = second === "B" ? "win" : second === "A" ? "loss" : "tie";
    if (a !== b) inconsistent += 1;
    const outcome = a === b ? a : "tie";
    if (outcome === "win") wins += 1;
    else if (outcome === "loss") losses += 1;
    else ties += 1;
    return [outcome];
  }));
  const rate = (value: (outcome: "win" | "tie" | "loss") => number) => bootstrapMean(outcomes.map((cluster) => cluster.map(value)), bootstrap);
  return {
    opponent: best.label,
    compared: wins + ties + losses,
    wins, ties, losses, inconsistent,
    winRate: rate((outcome) => (outcome === "win" ? 1 : 0)),
    lossRate: rate((outcome) => (outcome === "loss" ? 1 : 0)),
    adjustedWinRate: rate((outcome) => (outcome === "win" ? 1 : outcome === "tie" ? 0.5 : 0)),
    unreadable,
    missing,
  };
}

function pairedDifferences(ratings: Ratings, moaId: string, bestId: string, question: EvalQuestion): number[] {
  return question.turns.flatMap((_, i) => {
    const key = `${question.id}|${i + 1}`;
    const moa = ratings.get(moaId)?.get(key);
    const best = ratings.get(bestId)?.get(key);
    return moa !== undefined && best !== undefined ? [moa - best] : [];
  });
}

/** Both systems' mean ratings over the turns both were rated (the turns the difference is over). */
function meansOverBoth(ratings: Ratings, moaId: string, bestId: string): { moa: number; best: number } | undefined {
  const moa = ratings.get(moaId);
  const best = ratings.get(bestId);
  const both = [...(moa?.keys() ?? [])].filter((key) => best?.has(key));
  if (!moa || !best || both.length === 0) return undefined;
  const mean = (of: Map<string, number>) => both.reduce((sum, key) => sum + (of.get(key) ?? 0), 0) / both.length;
  return { moa: mean(moa), best: mean(best) };
}

function costOf(costs: readonly AnswerCost[]): CostSummary {
  const { costMissing: _calls, ...total } = costs.reduce(addCosts, { calls: 0, inputTokens: 0, outputTokens: 0, wallMs: 0 });
  const uncosted = costs.filter((cost) => cost.cost === undefined || (cost.costMissing ?? 0) > 0).length;
  return { answers: costs.length, ...total, ...(total.cost !== undefined && uncosted > 0 ? { uncosted } : {}) };
}

/** Per answer, so that answers one system failed to give do not tilt the ratio. */
function ratioOf(moa: CostSummary, best: CostSummary): CostRatio {
  const perAnswer = (cost: CostSummary, value: number) => value / cost.answers;
  const tokens = (cost: CostSummary) => (cost.inputTokens === null || cost.outputTokens === null ? null : perAnswer(cost, cost.inputTokens + cost.outputTokens));
  const moaTokens = tokens(moa);
  const bestTokens = tokens(best);
  return {
    calls: perAnswer(moa, moa.calls) / perAnswer(best, best.calls),
    tokens: moaTokens === null || bestTokens === null ? null : moaTokens / bestTokens,
    wallTime: perAnswer(moa, moa.wallMs) / perAnswer(best, best.wallMs),
  };
}

function verdictOf(best: SystemSummary | undefined, means: { moa: number; best: number } | undefined, difference: Interval | undefined, pairwise: PairwiseSummary | undefined, ratio: CostRatio | undefined): string {
  if (!best || !means || !difference || difference.n === 0) return "Not enough rated answers to compare the MoA with a single model.";
  const points = `${fixed(means.moa)} vs ${fixed(means.best)} on the ${difference.n} turns both were rated (difference ${signed(difference.mean)}, 95 % CI ${signed(difference.low)} to ${signed(difference.high)})`;
  const headToHead = pairwise && pairwise.compared > 0
    ? `; head to head it wins ${percent(pairwise.winRate.mean)}, ties ${percent(pairwise.ties / pairwise.compared)} and loses ${percent(pairwise.lossRate.mean)} of ${pairwise.compared} turns`
    : "";
  const cost = ratio ? `, at ${times(ratio.calls)} the calls${ratio.tokens === null ? "" : ` and ${times(ratio.tokens)} the tokens`}` : "";
  const lead = difference.low > 0
    ? `Yes: the MoA beats its best single model, ${best.label}`
    : difference.high < 0
      ? `No: the MoA scores below its best single model, ${best.label}`
      : `Not shown: the MoA and its best single model, ${best.label}, are within each other's margin`;
  return `${lead}: ${points}${headToHead}${cost}.`;
}

const fixed = (value: number) => value.toFixed(2);
