import { library } from "../library.js";
import { progress, question, startBench, type Size } from "../setup.js";
import { round } from "../stats.js";

const { createMixtureOfAgents } = library;

/** Turns per second at a number of concurrent turns, and the process's peak resident memory. */
export interface ThroughputRow {
  concurrency: number;
  turns: number;
  turnsPerSecond: number;
  peakRssMb: number;
}

/** Requests in flight at most, shared by every turn. */
export const REQUEST_LIMIT = 64;

/**
 * Zero-latency models, 3 proposers x 1 layer + aggregator; `concurrency` turns in flight at once
 * (1 to 1000, or 1 to 100 with 20 turns each in a quick run).
 */
export async function throughput(size: Size): Promise<ThroughputRow[]> {
  const bench = await startBench({ model: { text: "an answer of a few words" } });
  // A real deployment caps requests per provider; without a cap, 1000 turns open 3000 sockets at once.
  const graph = createMixtureOfAgents({
    proposers: Array.from({ length: 3 }, () => bench.client("model")),
    aggregator: bench.client("model"),
    concurrency: { perModel: { model: REQUEST_LIMIT } },
  });
  const rows: ThroughputRow[] = [];
  const levels = size === "quick" ? [1, 10, 100] : [1, 10, 100, 1000];
  try {
    for (const [i, concurrency] of levels.entries()) {
      const turns = size === "quick" ? 20 : Math.max(200, concurrency * 2);
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
      let next = 0;
      const started = performance.now();
      const worker = async () => {
        while (next < turns) {
          next += 1;
          await graph.invoke({ messages: question() });
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      rows.push({ concurrency, turns, turnsPerSecond: round(turns / seconds, 1), peakRssMb: round(peakRss / 2 ** 20, 1) });
      progress("throughput", i + 1, levels.length);
    }
  } finally {
    await bench.close();
  }
  return rows;
}
