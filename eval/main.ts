/**
 * `npm run eval -- --config moa.json --judge openai:gpt-4o`: does the mixture beat its best model?
 * Progress goes to stderr, the verdict and where the report is to stdout. Exits 0 with a report, 1 when
 * no answer could be rated (the first error on stderr), 2 for a bad invocation, 130 when stopped.
 */
import { EVAL_USAGE, parseEvalArgs } from "./cli-args.js";
import { evaluate } from "./evaluate.js";
import { progressDisplay } from "./progress-display.js";
import { oneLine } from "./secrets.js";
import { redactSecrets } from "../src/models/redact-secrets.js";
import { UsageError } from "../tools/usage-error.js";

async function main(argv: readonly string[]): Promise<number> {
  const args = parseEvalArgs(argv);
  if (args.help) {
    process.stdout.write(`${EVAL_USAGE}\n`);
    return 0;
  }
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write("\nStopping: letting nothing new start (Ctrl-C again to quit at once)…\n");
    controller.abort(new Error("stopped by the user"));
  };
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onInterrupt);
  const display = progressDisplay();
  const outcome = await evaluate(args, {
    signal: controller.signal,
    onProgress: display.update,
    onStart: (plan) => {
      process.stderr.write(`Evaluating ${plan.systems.join(", ")} on ${plan.questionSet} (${plan.questions} questions), judged by ${plan.judge}.\n`);
      process.stderr.write(`Cache: ${plan.cacheFile}${plan.cachedEntries > 0 ? ` (${plan.cachedEntries} answers and verdicts from earlier runs; what this run needs of them is not asked again)` : ""}\n`);
    },
  }).finally(display.finish);
  if (outcome.kind === "failed") {
    // Nothing was measured: no report, and the first error said here rather than only in a file.
    process.stderr.write(`No answer could be rated: ${outcome.reason}.\n`);
    if (outcome.firstError !== undefined) process.stderr.write(`The first error: ${outcome.firstError}\n`);
    process.stderr.write(`Fix that and run the same command again; what was answered is kept in ${outcome.cacheFile}.\n`);
    return 1;
  }
  if (outcome.kind === "stopped") {
    const where = outcome.progress ? ` at ${outcome.progress.done}/${outcome.progress.total}` : "";
    process.stderr.write(`Stopped${where}. What was answered is in ${outcome.cacheFile}; run the same command to go on from there.\n`);
    return 130;
  }
  const { report, files } = outcome;
  process.stdout.write(`\n${report.verdict}\n\n`);
  for (const system of report.systems) {
    const { mean, low, high, n } = system.score;
    const score = n === 0 ? "no ratings" : `${mean.toFixed(2)} (95 % CI ${low.toFixed(2)}–${high.toFixed(2)}, ${n} turns)`;
    process.stdout.write(`  ${system.label.padEnd(32)} ${score}\n`);
  }
  const [firstUnreadable] = report.unreadableVerdicts;
  if (firstUnreadable) {
    process.stdout.write(`\n${report.unreadableVerdicts.length} verdict(s) could not be read from the judge's reply (left out of the ratings, listed in the report); the same command asks the judge for them again.\n`);
    process.stdout.write(`The first unreadable reply (${firstUnreadable.question}, turn ${firstUnreadable.turn}): "${oneLine(firstUnreadable.reply)}"\n`);
  }
  if (report.failures.length > 0) {
    process.stdout.write(`\n${report.failures.length} call(s) failed (listed in the report); run the same command again to retry them.\n`);
    if (outcome.firstError !== undefined) process.stdout.write(`The first error: ${outcome.firstError}\n`);
  }
  process.stdout.write(`\nReport: ${files.markdown} (also ${files.json}, chart ${files.chart})\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`The evaluation failed: ${redactSecrets(oneLine(error instanceof Error ? error.message : String(error)))}\n`);
    process.exitCode = 1;
  },
);
