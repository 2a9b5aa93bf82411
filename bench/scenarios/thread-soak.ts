/**
 * Nothing lost, counted: the thread soak of test/support/thread-soak.ts at full size (50 threads x 10
 * turns over PostgreSQL, two serving processes, failing, aborted and overlapping turns, one process
 * killed with SIGKILL halfway and replaced), its counts for the report.
 */
import { runThreadSoak, type SoakResult } from "../../test/support/thread-soak.js";
import { progress, type Size } from "../setup.js";

/** The soak's counts (the anomalies reduced to their number). */
export type ThreadSoakResult = Omit<SoakResult, "anomalies"> & { anomalies: number; failRate: number; abortRate: number; overlapRate: number; concurrency: number };

/** Runs the soak: 50 threads x 10 turns, or 4 x 2 in a quick run. */
export async function threadSoak(size: Size): Promise<ThreadSoakResult> {
  const shape = { ...(size === "quick" ? { threads: 4, turnsPerThread: 2 } : { threads: 50, turnsPerThread: 10 }), workers: 2, concurrency: 4, failRate: 0.1, abortRate: 0.1, overlapRate: 0.1 };
  const { anomalies, ...counts } = await runThreadSoak({ ...shape, killOneAfter: 0.5, onProgress: (done, total) => progress("thread soak: jobs ended", done, total) });
  return { ...counts, ...shape, anomalies: anomalies.length };
}
