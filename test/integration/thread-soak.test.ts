/**
 * Nothing lost: threads over PostgreSQL served by two processes at once, with failing, aborted and
 * overlapping turns, and one of the processes killed with SIGKILL halfway and replaced. Every answered
 * turn is on its thread exactly once, in order, and nothing else is (a turn whose answer reached the
 * thread just before its process died is kept whole). The suite runs 20 threads x 5 turns; the
 * benchmark's `thread-soak` scenario runs 50 x 10 and puts its counts in bench/REPORT.md.
 */
import { describe, expect, it } from "vitest";
import { runThreadSoak } from "../support/thread-soak.js";

describe("thread soak over PostgreSQL", () => {
  it("20 threads x 5 turns, two processes, faults, aborts, overlaps and a SIGKILL: nothing lost, nothing extra", async () => {
    const result = await runThreadSoak({ threads: 20, turnsPerThread: 5, workers: 2, concurrency: 4, failRate: 0.1, abortRate: 0.1, overlapRate: 0.1, killOneAfter: 0.5 });
    const { anomalies, ...counts } = result;
    const summary = `${JSON.stringify(counts)}\n${JSON.stringify(anomalies.slice(0, 3))}`;
    expect({ lost: result.lost, ghosts: result.ghosts, duplicated: result.duplicated, outOfOrder: result.outOfOrder, pending: result.pending }, summary).toEqual({
      lost: 0,
      ghosts: 0,
      duplicated: 0,
      outOfOrder: 0,
      pending: 0,
    });
    // The soak did what it says: every kind of turn happened.
    expect(result.answered, summary).toBeGreaterThan(60);
    expect(result.unacknowledged, summary).toBeLessThanOrEqual(result.killedInFlight);
    expect(result.failed, summary).toBeGreaterThan(0);
    expect(result.aborted, summary).toBeGreaterThan(0);
    expect(result.busy, summary).toBeGreaterThan(0);
    expect(result.killedInFlight, summary).toBeGreaterThan(0);
  }, 240_000);
});
