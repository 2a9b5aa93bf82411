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
import { whyNothingRated } from "./nothing-rated.js";
import { oneLine, secretRedactor } from "./secrets.js";

/**
 * What a run ended with: a report; a stop by the user; or a failure, when no answer could be rated
 * (nothing was measured, so no report is written and an earlier one is left as it was).
 */
export type EvaluationOutcome =
  | { readonly kind: "reported"; readonly report: EvalReport; readonly files: ReportFiles; readonly cacheFile: string; readonly firstError?: string }
  | { readonly kind: "stopped"; readonly progress?: ProgressSnapshot; readonly cacheFile: string }
  | { readonly kind: "failed"; readonly reason: string; readonly firstError?: string; readonly progress?: ProgressSnapshot; readonly cacheFile: string };

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
  const redact = secretRedactor(config.moa, judgeInput);

  const questionSet = args.questions ? basename(args.questions) : "MT-Bench";
  const questions = (args.questions ? loadQuestionFile(args.questions) : loadMtBench()).slice(0, args.limit);
  const systems = evalSystems(config.moa);
  const judge = createJudge(judgeInput, { retry: config.moa.retry, concurrency: config.moa.concurrency, timeouts: config.moa.timeouts });
  const setName = args.questions ? basename(args.questions, extname(args.questions)) : "mt-bench";
  const out = args.out ?? join("eval-results", `${basename(args.config, extname(args.config))}-${setName}`);
  const cache = RunCache.open(join(out, "cache.jsonl"));
  try {
    return await runAndReport({ questionSet, questions, systems, judge, cache, out, redact }, args, hooks);
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
  /** Masks the config's API keys in what is shown. */
  readonly redact: (text: string) => string;
}

async function runAndReport({ questionSet, questions, systems, judge, cache, out, redact }: EvaluationPlan, args: EvalArgs, hooks: EvaluateHooks): Promise<EvaluationOutcome> {
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
  const progress = last ? { progress: last } : {};
  // A single model's (or the judge's) error names one cause; the MoA's bundles its proposers' causes.
  const moaLabel = systems.find((system) => system.kind === "moa")?.label;
  const first = records.failures.find((failure) => failure.system !== moaLabel) ?? records.failures[0];
  const firstError = first ? { firstError: redact(oneLine(first.error)) } : {};
  if (records.stopped && !records.gaveUp) return { kind: "stopped", cacheFile: cache.path, ...progress };
  const failure = records.gaveUp ?? whyNothingRated(records);
  if (failure !== undefined) return { kind: "failed", reason: redact(failure), cacheFile: cache.path, ...firstError, ...progress };
  const report = summarize(records, { questionSet, questions, systems, judgeLabel: judge.label });
  return { kind: "reported", report, files: writeReport(out, report), cacheFile: cache.path, ...firstError };
}
