/**
 * A problem the user can fix (a bad flag, an unreadable config file, no model configured): printed as
 * its message alone, without a stack trace, and the process exits with {@link UsageError.exitCode}.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";

  /**
   * @param message - What is wrong and what to do, in a few lines.
   * @param exitCode - The process's exit code (2: bad usage or configuration).
   */
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
