/** The command line of `npm run eval`: flags in, {@link EvalArgs} out, or a `UsageError`. */
import { parseFlags, wholeNumber } from "../tools/command-line.js";

/** The usage text printed by `--help` and after a bad flag. */
export const EVAL_USAGE = `Usage: npm run eval -- --config moa.json --judge openai:gpt-4o [options]

Is a Mixture-of-Agents worth it for your models? Asks MT-Bench's 80 two-turn questions (or your own) of
the MoA in the config and of each of its proposers alone, has the judge rate every answer 1-10 (against
reference answers for math, reasoning and coding), compares the MoA head to head with the best single
model in both orders, and writes report.md, report.json and scores.svg.

Options:
  --config <file.json>       the MoA: {"proposers": [...], "aggregator": "...", "layers": 2, ...}, the
                             library's options as JSON; may name the "judge" too
  --judge <provider:model>   the judge, e.g. openai:gpt-4o or ollama:llama3.1:70b (overrides the config)
  --questions <file.jsonl>   your questions instead of MT-Bench, one JSON object a line:
                             {"id": "q1", "category": "support", "turns": ["...", "..."],
                              "reference": ["...", "..."]}   (only "turns" is required)
  --out <dir>                the cache and the report (default eval-results/<config>-<questions>,
                             e.g. eval-results/moa-mt-bench)
  --concurrency <n>          answers and judge calls in flight at once (default 4)
  --limit <n>                only the first n questions, for a trial run
  --judge-attempts <n>       judge calls per verdict before its reply counts as unreadable this run (default 3)
  -h, --help                 this help

Stop with Ctrl-C at any time: answers and verdicts are cached in <out>/cache.jsonl as they arrive, and
the same command goes on from there without asking anything twice.

Exit status: 0 with a report; 1 when no answer could be rated (the first error is printed, no report is
written); 2 for a bad invocation; 130 when stopped.`;

/** The flags as given, defaults applied. */
export interface EvalArgs {
  readonly config?: string;
  readonly judge?: string;
  readonly questions?: string;
  readonly out?: string;
  readonly concurrency: number;
  readonly limit?: number;
  readonly judgeAttempts: number;
  readonly help: boolean;
}

/** Parses `argv` (without node and the script). */
export function parseEvalArgs(argv: readonly string[]): EvalArgs {
  const values = parseFlags(argv, {
    config: { type: "string" },
    judge: { type: "string" },
    questions: { type: "string" },
    out: { type: "string" },
    concurrency: { type: "string" },
    limit: { type: "string" },
    "judge-attempts": { type: "string" },
    help: { type: "boolean", short: "h" },
  }, EVAL_USAGE);
  const limit = wholeNumber(values.limit, "--limit", 1);
  return {
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values.judge !== undefined ? { judge: values.judge } : {}),
    ...(values.questions !== undefined ? { questions: values.questions } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    concurrency: wholeNumber(values.concurrency, "--concurrency", 1) ?? 4,
    ...(limit !== undefined ? { limit } : {}),
    judgeAttempts: wholeNumber(values["judge-attempts"], "--judge-attempts", 1) ?? 3,
    help: values.help ?? false,
  };
}
