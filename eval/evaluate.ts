/**
 * One evaluation from its arguments to its report files: what `npm run eval` runs, minus the terminal.
 */
import { basename, extname, join } from "node:path";
import type { ModelInput } from "../src/index.js";
import { validateSpec } from "../src/models/validate-spec.js";
import { asUsageError } from "./as-usage-error.js";
import { checkModels } from "./check-models.js";
import type { EvalArgs } from "./cli-args.js";
import { readEvalConfig } from "./eval-config.js";
import { createJudge, type Judge } from "./judge.js";
import { loadJudgePrompts } from "./judge-prompts.js";
import type { ProgressSnapshot } from "./progress.js";
import { loadMtBench, loadQuestionFile, type EvalQuestion } from "./questions.js";
import type { EvalReport } from "./report-types.js";
import { RunCache } from "./run-cache.js";
import { runEvaluation } from "./run-evaluation.js";
import { summarize } from "./summarize.js";
import { evalSystems, type EvalSystem } from "./systems.js";
import { UsageError } from "../tools/usage-error.js";
import { writeReport, type ReportFiles } from "./write-report.js";

/** What a run ended with. */
export type EvaluationOutcome =
  | { readonly stopped: false; readonly report: EvalReport; readonly files: ReportFiles; readonly cacheFile: string }
  | { readonly stopped: true; readonly progress?: ProgressSnapshot; readonly cacheFile: string; readonly gaveUp?: string };

/** Hooks for the caller: the plan once known, and progress. */
export interface EvaluateHooks {
  readonly onStart?: (plan: { questionSet: string; questions: number; systems: string[]; judge: string; cacheFile: string; cachedEntries: number }) => void;
  readonly onProgress?: (snapshot: ProgressSnapshot) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs the evaluation `args` describe. Throws an {@link UsageError} for bad arguments, files or
 * models (every model that cannot be created is named at once, before any question is asked).
 */
export async function evaluate(args: EvalArgs, hooks: EvaluateHooks = {}): Promise<EvaluationOutcome> {
  if (args.config === undefined) throw new UsageError('Give the MoA to evaluate: --config moa.json, e.g. {"proposers": ["ollama:llama3.1", "ollama:qwen2.5"], "aggregator": "ollama:llama3.1"}');
  const config = readEvalConfig(args.config);
  const judgeInput: ModelInput | undefined = args.judge ?? config.judge;
  if (judgeInput === undefined) throw new UsageError('Name the judge: --judge openai:gpt-4o (any "provider:model"), or "judge" in the config file');
  asUsageError(() => validateSpec(judgeInput, args.judge !== undefined ? "--judge" : "judge"));
  await checkModels(config.moa, judgeInput);

  const questionSet = args.questions ? basename(args.questions) : "MT-Bench";
  const questions = (args.questions ? loadQuestionFile(args.questions) : loadMtBench()).slice(0, args.limit);
  const systems = evalSystems(config.moa);
  const judge = createJudge(judgeInput, { retry: config.moa.retry, concurrency: config.moa.concurrency, timeouts: config.moa.timeouts });
  const setName = args.questions ? basename(args.questions, extname(args.questions)) : "mt-bench";
  const out = args.out ?? join("eval-results", `${basename(args.config, extname(args.config))}-${setName}`);
  const cache = RunCache.open(join(out, "cache.jsonl"));
  try {
    return await runAndReport({ questionSet, questions, systems, judge, cache, out }, args, hooks);
  } finally {
    cache.release();
  }
}

/** What a run asks, of whom, and where it keeps what it learns. */
interface EvaluationPlan {
  readonly questionSet: string;
  readonly questions: EvalQuestion[];
  readonly systems: EvalSystem[];
  readonly judge: Judge;
  readonly cache: RunCache;
  readonly out: string;
}

async function runAndReport({ questionSet, questions, systems, judge, cache, out }: EvaluationPlan, args: EvalArgs, hooks: EvaluateHooks): Promise<EvaluationOutcome> {
  hooks.onStart?.({ questionSet, questions: questions.length, systems: systems.map((system) => system.label), judge: judge.label, cacheFile: cache.path, cachedEntries: cache.size });

  let last: ProgressSnapshot | undefined;
  const records = await runEvaluation({
    questions, systems, judge, prompts: loadJudgePrompts(), cache,
    concurrency: args.concurrency, judgeAttempts: args.judgeAttempts,
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onProgress: (snapshot) => {
      last = snapshot;
      hooks.onProgress?.(snapshot);
    },
  });
  if (records.stopped) return { stopped: true, cacheFile: cache.path, ...(last ? { progress: last } : {}), ...(records.gaveUp ? { gaveUp: records.gaveUp } : {}) };
  const report = summarize(records, { questionSet, questions, systems, judgeLabel: judge.label });
  return { stopped: false, report, files: writeReport(out, report), cacheFile: cache.path };
}
