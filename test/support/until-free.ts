import { MoAThreadBusyError } from "../../src/index.js";

/**
 * `turn()`, sent again while it is refused with MoAThreadBusyError, for up to 5 s: PostgreSQL frees a killed
 * process's lock (or a dropped connection's) once it notices the connection is gone, which can take a moment.
 */
export async function untilFree<T>(turn: () => Promise<T>): Promise<T> {
  for (const until = Date.now() + 5_000; ; ) {
    try {
      return await turn();
    } catch (error) {
      if (!MoAThreadBusyError.isInstance(error) || Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
