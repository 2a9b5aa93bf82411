import { createMixtureOfAgents } from "../../src/index.js";
import { progress, question, startBench } from "../setup.js";
import { median, round } from "../stats.js";

/** Wall time of a turn over its critical path, per shape. */
export interface OverheadRow {
  proposers: number;
  layers: number;
  criticalPathMs: number;
  medianWallMs: number;
  ratio: number;
}

const LATENCY_MS = 100;
const REPEATS = 5;

/**
 * Turns with every model answering after 100 ms: the critical path is (layers + 1) x 100 ms; the ratio
 * says how much the graph adds to it.
 */
export async function latencyOverhead(): Promise<OverheadRow[]> {
  const bench = await startBench({ model: { text: "an answer of a few words", latencyMs: LATENCY_MS } });
  const rows: OverheadRow[] = [];
  const shapes = [3, 6, 12].flatMap((proposers) => [1, 2, 3].map((layers) => ({ proposers, layers })));
  try {
    for (const [i, { proposers, layers }] of shapes.entries()) {
      const graph = createMixtureOfAgents({
        proposers: Array.from({ length: proposers }, () => bench.client("model")),
        aggregator: bench.client("model"),
        layers,
      });
      await graph.invoke({ messages: question() }); // warm-up
      const walls: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const started = performance.now();
        await graph.invoke({ messages: question() });
        walls.push(performance.now() - started);
      }
      const criticalPathMs = (layers + 1) * LATENCY_MS;
      rows.push({ proposers, layers, criticalPathMs, medianWallMs: round(median(walls), 1), ratio: round(median(walls) / criticalPathMs, 3) });
      progress("latency overhead", i + 1, shapes.length);
    }
  } finally {
    await bench.close();
  }
  return rows;
}
