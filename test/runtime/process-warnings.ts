/** Test helper: the process warnings a piece of work causes. */

/**
 * Runs `work` and returns the messages of the process warnings named `name` emitted meanwhile (and in the
 * ticks right after it: Node emits a warning on the next tick).
 */
export async function warningsDuring(work: () => Promise<unknown>, name = "MaxListenersExceededWarning"): Promise<string[]> {
  const seen: string[] = [];
  const onWarning = (warning: Error) => {
    if (warning.name === name) seen.push(warning.message);
  };
  process.on("warning", onWarning);
  try {
    await work();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off("warning", onWarning);
  }
  return seen;
}
