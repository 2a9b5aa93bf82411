/** The bootstrap intervals of the report and the progress counts of a run. */
import { describe, expect, it } from "vitest";
import { bootstrapMean } from "../../eval/bootstrap.js";
import { formatProgress } from "../../eval/progress-display.js";
import { ProgressTracker, type ProgressSnapshot } from "../../eval/progress.js";

describe("bootstrapMean", () => {
  it("gives the mean of all values, weighting each question by its number of turns", () => {
    expect(bootstrapMean([[6, 5], [7, 6], [4, 5], [3]]).mean).toBe(36 / 7);
  });

  it("has no width when every value is the same, and is NaN with n = 0 for no values", () => {
    expect(bootstrapMean([[5, 5], [5]])).toEqual({ mean: 5, low: 5, high: 5, n: 3 });
    expect(bootstrapMean([[], []])).toEqual({ mean: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 });
  });

  it("with two questions, spans from one question's value to the other's (each drawn twice with p = 1/4)", () => {
    // Resampled means are 2 (p 1/4), 5 (p 1/2), 8 (p 1/4): the 2.5 % and 97.5 % points are 2 and 8.
    expect(bootstrapMean([[2], [8]])).toEqual({ mean: 5, low: 2, high: 8, n: 2 });
  });

  it("narrows as questions are added, and is reproducible from its seed", () => {
    const values = Array.from({ length: 200 }, (_, i) => [1 + (i % 10)]);
    const wide = bootstrapMean(values.slice(0, 20));
    const narrow = bootstrapMean(values);
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
    expect(narrow.low).toBeLessThan(narrow.mean);
    expect(narrow.high).toBeGreaterThan(narrow.mean);
    expect(bootstrapMean(values, { seed: 7 })).toEqual(bootstrapMean(values, { seed: 7 }));
    expect(bootstrapMean(values, { seed: 7 })).not.toEqual(bootstrapMean(values, { seed: 8 }));
  });

  it("covers the true mean about 95 % of the time on simulated data", () => {
    // 200 samples of 30 questions with ratings uniform on 1..9 (true mean 5).
    let covered = 0;
    let state = 12345;
    const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let trial = 0; trial < 200; trial++) {
      const clusters = Array.from({ length: 30 }, () => [1 + Math.floor(next() * 9)]);
      const { low, high } = bootstrapMean(clusters, { resamples: 500, seed: trial + 1 });
      if (low <= 5 && 5 <= high) covered += 1;
    }
    expect(covered / 200).toBeGreaterThan(0.88);
    expect(covered / 200).toBeLessThan(0.99);
  });
});

describe("progress", () => {
  it("counts asked, cached, failed and skipped units, and estimates the time left from the units that made calls", () => {
    let now = 0;
    const seen: ProgressSnapshot[] = [];
    const tracker = new ProgressTracker(10, (snapshot) => seen.push(snapshot), () => now);
    tracker.record("cached", 4);
    expect(seen.at(-1)).toEqual({ stage: "answering", done: 4, total: 10, cached: 4, failed: 0, skipped: 0, unreadable: 0 });
    now = 2000;
    tracker.record("asked", 1, true);
    tracker.record("failed");
    // Two paced units in 2 s: 1 s each, 4 left.
    expect(seen.at(-1)).toEqual({ stage: "answering", done: 6, total: 10, cached: 4, failed: 1, skipped: 0, unreadable: 1, etaMs: 4000 });
    tracker.enter("comparing");
    tracker.record("skipped", 4);
    expect(seen.at(-1)).toMatchObject({ stage: "comparing", done: 10, skipped: 4, etaMs: 0 });
  });

  it("draws one line: stage, done/total, a bar, failures and the ETA", () => {
    expect(formatProgress({ stage: "answering", done: 142, total: 480, cached: 40, failed: 2, skipped: 0, unreadable: 1, etaMs: 245_000 }))
      .toBe("answering and rating 142/480  29% [######--------------]  2 failed · 40 cached · 1 unreadable · ETA 4m 05s");
    expect(formatProgress({ stage: "comparing", done: 480, total: 480, cached: 0, failed: 0, skipped: 3, unreadable: 0 }))
      .toBe("MoA vs best single   480/480 100% [####################]  0 failed · 3 skipped · done");
  });
});
