import { library } from "../library.js";
import { progress, question, startBench, type Size } from "../setup.js";
import { median, round } from "../stats.js";

const { MixtureOfAgents } = library;

/** When the final answer's first token arrives, against the critical path to it. */
export interface TtftRow {
  layers: number;
  criticalPathMs: number;
  medianTtftMs: number;
  ratio: number;
}

const LATENCY_MS = 100;
const REPEATS = 7;

/**
 * `MixtureOfAgents.stream()` with 3 proposers answering after 100 ms and an aggregator whose first
 * token comes after 100 ms (then a token every 10 ms): the first token cannot come before
 * (layers + 1) x 100 ms. 7 turns per shape after a warm-up (1 in a quick run).
 */
export async function timeToFirstToken(size: Size): Promise<TtftRow[]> {
  const bench = await startBench({
    proposer: { text: "a proposal", latencyMs: LATENCY_MS },
    aggregator: { text: "a final answer streamed word by word", latencyMs: LATENCY_MS, chunkDelayMs: 10 },
  });
  const rows: TtftRow[] = [];
  try {
    for (const layers of [1, 2, 3]) {
      const moa = new MixtureOfAgents({ proposers: Array.from({ length: 3 }, () => bench.client("proposer")), aggregator: bench.client("aggregator"), layers });
      const firsts: number[] = [];
      for (let r = 0; r <= (size === "quick" ? 1 : REPEATS); r++) {
        const started = performance.now();
        let first: number | undefined;
        for await (const chunk of await moa.stream(question())) if (first === undefined && chunk.text !== "") first = performance.now() - started;
        if (r > 0 && first !== undefined) firsts.push(first); // the first run warms up
      }
      const criticalPathMs = (layers + 1) * LATENCY_MS;
      rows.push({ layers, criticalPathMs, medianTtftMs: round(median(firsts), 1), ratio: round(median(firsts) / criticalPathMs, 3) });
      progress("time to first token", layers, 3);
    }
  } finally {
    await bench.close();
  }
  return rows;
}
