import type { QuorumOptions } from "../../src/index.js";
import { library } from "../library.js";
import { progress, question, startBench, type Size } from "../setup.js";
import { seeded } from "../../tools/seeded-random.js";
import { quantile } from "../../tools/quantile.js";
import { logNormal, round } from "../stats.js";

const { createMixtureOfAgents } = library;

/** Turn latency percentiles with heavy-tailed proposers, waiting for all or with a quorum. */
export interface TailRow {
  setting: string;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Every turn's wall time, for the chart. */
  samples: number[];
}

const TURNS: Record<Size, number> = { full: 300, quick: 20 };
const CONCURRENCY = 20;

/**
 * Five proposers whose latencies are log-normal (median 100 ms, sigma 0.8: one call in a hundred takes
 * over 600 ms), one layer, a 50 ms aggregator; the same seeded latencies for every setting. 300 turns per
 * setting (20 in a quick run).
 */
export async function tailLatency(size: Size): Promise<TailRow[]> {
  const settings: Array<{ setting: string; quorum?: QuorumOptions }> = [
    { setting: "wait for all 5" },
    { setting: "quorum 3 + 50 ms grace", quorum: { min: 3, graceMs: 50 } },
    { setting: "quorum 4 + 100 ms grace", quorum: { min: 4, graceMs: 100 } },
  ];
  const rows: TailRow[] = [];
  for (const [i, { setting, quorum }] of settings.entries()) {
    const random = seeded(42);
    const bench = await startBench({ proposer: { text: "a proposal", latencyMs: () => logNormal(100, 0.8, random) }, aggregator: { text: "final", latencyMs: 50 } });
    try {
      const graph = createMixtureOfAgents({
        proposers: Array.from({ length: 5 }, () => bench.client("proposer")),
        aggregator: bench.client("aggregator"),
        ...(quorum ? { quorum } : {}),
      });
      const samples: number[] = [];
      let next = 0;
      const worker = async () => {
        while (next < TURNS[size]) {
          next += 1;
          const started = performance.now();
          await graph.invoke({ messages: question() });
          samples.push(performance.now() - started);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      rows.push({ setting, p50Ms: round(quantile(samples, 0.5), 1), p95Ms: round(quantile(samples, 0.95), 1), p99Ms: round(quantile(samples, 0.99), 1), samples });
    } finally {
      await bench.close();
    }
    progress("tail latency", i + 1, settings.length);
  }
  return rows;
}
