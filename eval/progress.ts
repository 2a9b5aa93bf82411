/** Counting an evaluation's units of work (answers and judgements) as they finish, with an ETA. */

/** How far a run is. */
export interface ProgressSnapshot {
  /** `answering` (answers and their ratings), then `comparing` (the MoA against the best single model). */
  readonly stage: "answering" | "comparing";
  readonly done: number;
  readonly total: number;
  /** Units that came from the cache (no call made). */
  readonly cached: number;
  /** Calls that failed. */
  readonly failed: number;
  /** Units not done because what they needed failed (a judgement of an answer that failed). */
  readonly skipped: number;
  /** Verdicts recorded as unreadable (counted among the done units). */
  readonly unreadable: number;
  /** Estimated milliseconds left, once there is a pace to go by. */
  readonly etaMs?: number;
}

/** How a unit of work ended. */
export type UnitOutcome = "asked" | "cached" | "failed" | "skipped";

/** Counts finished units and reports a {@link ProgressSnapshot} after each. */
export class ProgressTracker {
  private stage: ProgressSnapshot["stage"] = "answering";
  private readonly counts: Record<UnitOutcome, number> = { asked: 0, cached: 0, failed: 0, skipped: 0 };
  private unreadable = 0;
  private readonly startedAt: number;

  constructor(
    private readonly total: number,
    private readonly onProgress: (snapshot: ProgressSnapshot) => void = () => {},
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.startedAt = clock();
  }

  /** Moves to the next stage. */
  enter(stage: ProgressSnapshot["stage"]): void {
    this.stage = stage;
    this.onProgress(this.snapshot());
  }

  /** Records `count` units ending with `outcome`; `unreadable` when a verdict could not be read. */
  record(outcome: UnitOutcome, count = 1, unreadable = false): void {
    if (count <= 0) return;
    this.counts[outcome] += count;
    if (unreadable) this.unreadable += count;
    this.onProgress(this.snapshot());
  }

  /** The counts now. */
  snapshot(): ProgressSnapshot {
    const { asked, cached, failed, skipped } = this.counts;
    const done = asked + cached + failed + skipped;
    // Cached and skipped units take no time: the pace is that of the units that made calls.
    const paced = asked + failed;
    const elapsed = this.clock() - this.startedAt;
    const etaMs = paced > 0 ? (elapsed / paced) * (this.total - done) : undefined;
    return { stage: this.stage, done, total: this.total, cached, failed, skipped, unreadable: this.unreadable, ...(etaMs !== undefined ? { etaMs } : {}) };
  }
}
