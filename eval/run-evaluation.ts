/**
 * The evaluation pipeline. Every system answers every question turn by turn (each turn sees the system's
 * own earlier answers), the judge rates each answer 1-10 as soon as it exists, and then the MoA is
 * compared with the best-rated single model, turn by turn, in both orders. Answers and readable verdicts
 * are cached on disk as they arrive; what is in the cache is never asked again. Failed calls, answers
 * written without some of their calls, and verdicts that could not be read are not cached: the next run
 * asks them again.
 */
import { setMaxListeners } from "node:events";
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { ConcurrencyLimit } from "../src/models/concurrency-limit.js";
import { askJudge, type Judge, type JudgeOutcome, type VerdictFormat } from "./judge.js";
import { answerCost } from "./model-answer.js";
import { pairwiseComparisonPrompt, singleGradingPrompt, type JudgePrompt, type JudgePromptSet } from "./judge-prompts.js";
import { ProgressTracker, type ProgressSnapshot } from "./progress.js";
import type { EvalQuestion } from "./questions.js";
import { meanRating, ratingsBySystem } from "./ratings.js";
import type { AnswerRecord, EvaluationRecords, FailureRecord, JudgementRecord } from "./records.js";
import type { RunCache } from "./run-cache.js";
import { stableHash } from "./stable-hash.js";
import type { EvalSystem } from "./systems.js";
import { PAIRWISE_FORMAT, RATING_FORMAT } from "./verdicts.js";

/** What to evaluate, and how. */
export interface EvaluationSettings {
  readonly questions: readonly EvalQuestion[];
  /** The MoA and the single models; the MoA is compared pairwise with the best single one. */
  readonly systems: readonly EvalSystem[];
  readonly judge: Judge;
  readonly prompts: JudgePromptSet;
  readonly cache: RunCache;
  /** Answers and judge calls in flight at once (default 4). */
  readonly concurrency?: number;
  /** Judge calls per verdict before a reply without a readable verdict is counted as unreadable in this run (default 3). */
  readonly judgeAttempts?: number;
  /** Stops the run: nothing new is asked, calls in flight are aborted, the cache keeps what was done. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ProgressSnapshot) => void;
}

/** Runs the evaluation; resolves with everything gathered (`stopped` when the signal ended it early). */
export async function runEvaluation(settings: EvaluationSettings): Promise<EvaluationRecords> {
  return new EvaluationRun(settings).run();
}

class EvaluationRun {
  private readonly answers = new Map<string, AnswerRecord>();
  private readonly judgements: JudgementRecord[] = [];
  private readonly failures: FailureRecord[] = [];
  private readonly limit: ConcurrencyLimit;
  private readonly controller: AbortController;
  /** Why the run gave up by itself, if it did. */
  private gaveUp?: string;
  private readonly progress: ProgressTracker;
  private readonly turnCount: number;

  constructor(private readonly settings: EvaluationSettings) {
    this.limit = new ConcurrencyLimit("evaluation", settings.concurrency ?? 4);
    this.controller = ownController(settings.signal);
    this.turnCount = settings.questions.reduce((sum, question) => sum + question.turns.length, 0);
    const comparing = this.moa && this.singles.length > 0 ? 2 * this.turnCount : 0;
    this.progress = new ProgressTracker(2 * settings.systems.length * this.turnCount + comparing, settings.onProgress);
  }

  private get signal(): AbortSignal {
    return this.controller.signal;
  }

  private get moa(): EvalSystem | undefined {
    return this.settings.systems.find((system) => system.kind === "moa");
  }

  private get singles(): EvalSystem[] {
    return this.settings.systems.filter((system) => system.kind === "single");
  }

  async run(): Promise<EvaluationRecords> {
    this.progress.enter("answering");
    const chains = this.settings.questions.flatMap((question) => this.settings.systems.map((system) => this.answerAndGrade(system, question)));
    if (!(await this.settle(chains))) return this.records(true);
    const best = this.bestSingle();
    const moa = this.moa;
    if (moa && this.singles.length > 0) {
      this.progress.enter("comparing");
      if (!best) this.progress.record("skipped", 2 * this.turnCount);
      else if (!(await this.settle(this.settings.questions.map((question) => this.compare(moa, best, question))))) return this.records(true, best);
    }
    return this.records(false, best);
  }

  /** Waits for all `work`; false when the run was stopped (rethrows anything but the stop, unless `quietStop` is false). */
  private async settle(work: Promise<void>[], quietStop = true): Promise<boolean> {
    const results = await Promise.allSettled(work);
    if (this.signal.aborted && quietStop) return false;
    const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
    return true;
  }

  private records(stopped: boolean, best?: EvalSystem): EvaluationRecords {
    return {
      answers: [...this.answers.values()], judgements: this.judgements, failures: this.failures, stopped,
      ...(best ? { bestSingle: best.id } : {}),
      ...(this.gaveUp ? { gaveUp: this.gaveUp } : {}),
    };
  }

  /** Answers `question` turn by turn with `system`, rating each answer as soon as it exists. */
  private async answerAndGrade(system: EvalSystem, question: EvalQuestion): Promise<void> {
    const texts: string[] = [];
    const grading: Promise<void>[] = [];
    try {
      for (let turn = 1; turn <= question.turns.length; turn++) {
        const answer = await this.answer(system, question, turn, texts);
        if (!answer) {
          // This turn's rating, and every later answer and rating, need this answer.
          this.progress.record("skipped", 1 + 2 * (question.turns.length - turn));
          break;
        }
        texts.push(answer.text);
        const rating = this.grade(system, question, turn, [...texts]);
        // Observed at once: a rating aborted by a stop may reject while the next answer is still unwinding.
        rating.catch(() => undefined);
        grading.push(rating);
      }
    } finally {
      // Ratings already started are waited for even when the run stops, so none is left unobserved.
      await this.settle(grading, false);
    }
  }

  private async answer(system: EvalSystem, question: EvalQuestion, turn: number, earlier: readonly string[]): Promise<AnswerRecord | undefined> {
    // The question's text is part of the key: an edited question is answered afresh.
    const key = `answer|${system.id}|${question.id}|${turn}|${stableHash(question.turns.slice(0, turn))}`;
    const cached = this.settings.cache.get<AnswerRecord>(key);
    if (cached) {
      this.answers.set(answerKey(system.id, question.id, turn), cached);
      this.progress.record("cached");
      return cached;
    }
    try {
      const answer = await this.withPermit(() => system.answer(conversation(question, turn, earlier), this.signal));
      const record: AnswerRecord = {
        system: system.id, question: question.id, turn, text: answer.text,
        cost: answerCost(answer),
        ...(answer.failedCalls ? { failedCalls: answer.failedCalls } : {}),
      };
      // An answer written without some of its calls (a proposer failed) counts in this run's report, but
      // is not kept: the next run asks again, as for a failed call.
      if (!answer.failedCalls) this.settings.cache.put(key, record);
      this.answers.set(answerKey(system.id, question.id, turn), record);
      this.progress.record("asked");
      return record;
    } catch (error) {
      this.fail(error, { stage: "answer", system: system.label, question: question.id, turn });
      return undefined;
    }
  }

  private async grade(system: EvalSystem, question: EvalQuestion, turn: number, texts: readonly string[]): Promise<void> {
    const prompt = singleGradingPrompt(this.settings.prompts, question, turn, texts);
    await this.judgeOnce("single", [system], question, turn, prompt, RATING_FORMAT);
  }

  /** Both orders of the MoA against `best`, for every turn both answered. */
  private async compare(moa: EvalSystem, best: EvalSystem, question: EvalQuestion): Promise<void> {
    const games: Promise<void>[] = [];
    for (let turn = 1; turn <= question.turns.length; turn++) {
      const moaTexts = this.textsUpTo(moa, question, turn);
      const bestTexts = this.textsUpTo(best, question, turn);
      if (!moaTexts || !bestTexts) {
        this.progress.record("skipped", 2);
        continue;
      }
      const first = pairwiseComparisonPrompt(this.settings.prompts, question, turn, moaTexts, bestTexts);
      const second = pairwiseComparisonPrompt(this.settings.prompts, question, turn, bestTexts, moaTexts);
      games.push(this.judgeOnce("pairwise", [moa, best], question, turn, first, PAIRWISE_FORMAT));
      games.push(this.judgeOnce("pairwise", [best, moa], question, turn, second, PAIRWISE_FORMAT));
    }
    await this.settle(games, false);
  }

  private async judgeOnce<V extends number | string>(kind: JudgementRecord["kind"], systems: EvalSystem[], question: EvalQuestion, turn: number, prompt: JudgePrompt, format: VerdictFormat<V>): Promise<void> {
    const ids = systems.map((system) => system.id);
    // The prompt's hash ties the verdict to the exact answers it judged.
    const key = `${kind}|${this.settings.judge.id}|${ids.join(",")}|${question.id}|${turn}|${stableHash(prompt)}`;
    const attempts = this.settings.judgeAttempts ?? 3;
    const cached = this.settings.cache.get<JudgementRecord>(key);
    // Only a readable verdict is final; an unreadable one (written to the cache by an earlier version) is asked again.
    if (cached && cached.verdict !== null) {
      this.judgements.push(cached);
      this.progress.record("cached");
      return;
    }
    try {
      const outcome: JudgeOutcome<V> = await this.withPermit(() => askJudge(this.settings.judge, prompt, format, attempts, this.signal));
      const record: JudgementRecord = {
        kind, systems: ids, question: question.id, turn, prompt: prompt.name,
        verdict: outcome.verdict as JudgementRecord["verdict"],
        ...(outcome.unreadableReply !== undefined ? { unreadableReply: outcome.unreadableReply } : {}),
        attempts: outcome.attempts, cost: outcome.cost,
      };
      // A reply with no readable verdict counts as unreadable in this run's report, but is not kept: the
      // next run asks the judge again (a judge that was fixed, or given more tokens, may answer it).
      if (record.verdict !== null) this.settings.cache.put(key, record);
      this.judgements.push(record);
      this.progress.record("asked", 1, record.verdict === null);
    } catch (error) {
      this.fail(error, { stage: kind, system: systems.map((system) => system.label).join(" vs "), question: question.id, turn });
    }
  }

  /** Records a failed call, or rethrows when the run is being stopped. */
  private fail(error: unknown, where: Omit<FailureRecord, "error">): void {
    if (this.signal.aborted) throw error;
    this.failures.push({ ...where, error: error instanceof Error ? error.message : String(error) });
    this.progress.record("failed");
    const { failed, done, cached, skipped } = this.progress.snapshot();
    // Nothing has worked yet (a server down, a wrong model name): stop rather than fail every question.
    if (failed >= GIVE_UP_AFTER && failed === done - cached - skipped) {
      this.gaveUp = `the first ${failed} calls all failed, so the run gave up`;
      this.controller.abort(new Error(this.gaveUp));
    }
  }

  private async withPermit<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.limit.acquire(this.signal);
    try {
      return await work();
    } finally {
      release();
    }
  }

  private textsUpTo(system: EvalSystem, question: EvalQuestion, turn: number): string[] | undefined {
    const texts: string[] = [];
    for (let t = 1; t <= turn; t++) {
      const answer = this.answers.get(answerKey(system.id, question.id, t));
      if (!answer) return undefined;
      texts.push(answer.text);
    }
    return texts;
  }

  /** The single system with the highest mean rating (the first in the config on a tie). */
  private bestSingle(): EvalSystem | undefined {
    const ratings = ratingsBySystem(this.judgements);
    let best: { system: EvalSystem; mean: number } | undefined;
    for (const system of this.singles) {
      const mean = meanRating(ratings.get(system.id));
      if (!Number.isNaN(mean) && (!best || mean > best.mean)) best = { system, mean };
    }
    return best?.system;
  }

}

/** Calls that must fail, with none answered, before a run gives up. */
const GIVE_UP_AFTER = 8;

/**
 * A controller whose signal follows `outer`: every queued unit and every call listens to it, far more
 * than the default listener limit, so it is the run's own with the limit lifted.
 */
function ownController(outer: AbortSignal | undefined): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener("abort", () => controller.abort(outer.reason), { once: true });
  return controller;
}

function answerKey(system: string, question: string, turn: number): string {
  return `${system}|${question}|${turn}`;
}

/** The conversation up to `turn`: each earlier question with the system's own answer, then the question. */
function conversation(question: EvalQuestion, turn: number, earlier: readonly string[]): BaseMessage[] {
  return question.turns.slice(0, turn).flatMap((text, i) => (i < turn - 1 ? [new HumanMessage(text), new AIMessage(earlier[i] ?? "")] : [new HumanMessage(text)]));
}
