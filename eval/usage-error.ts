/** A problem with what the user gave the evaluation (a flag, a config file, a question file): shown without a stack trace. */
export class EvalUsageError extends Error {
  override readonly name = "EvalUsageError";
}
