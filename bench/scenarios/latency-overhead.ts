import { createMixtureOfAgents } from "../../src/index.js";
import { plainMoA } from "../plain-moa.js";
import { progress, question, startBench } from "../setup.js";
import { median, round } from "../stats.js";

/** Wall time of a turn over its critical path, per shape, for the graph and for the plain floor. */
export interface OverheadRow {
  modelLatencyMs: number;
  proposers: number;
  layers: number;
  criticalPathMs: number;
  medianWallMs: number;
  ratio: number;
  plainMedianWallMs: number;
  plainRatio: number;
}

const LATENCY_MS = 100;
const REPEATS = 7;
const SLOW_LATENCY_MS = 1_000;

/**
 * Turns with every model answering after 100 ms: the critical path is (layers + 1) x 100 ms. The graph
 * and the plain `Promise.all` implementation take turns on the same clients, so both see the same load.
 */
export async function latencyOverhead(): Promise<OverheadRow[]> {
  const bench = await startBench({
    model: { text: "an answer of a few words", latencyMs: LATENCY_MS },
    slow: { text: "an answer of a few words", latencyMs: SLOW_LATENCY_MS },
  });
  const rows: OverheadRow[] = [];
  const shapes = [
    ...[3, 6, 12].flatMap((proposers) => [1, 2, 3].map((layers) => ({ proposers, layers, model: "model", latency: LATENCY_MS }))),
    // One shape at a latency closer to real models', where the fixed cost of a turn weighs less.
    { proposers: 3, layers: 2, model: "slow", latency: SLOW_LATENCY_MS },
  ];
  const timed = async (turn: () => Promise<unknown>) => {
    const started = performance.now();
    await turn();
    return performance.now() - started;
  };
  try {
    for (const [i, { proposers, layers, model, latency }] of shapes.entries()) {
      const clients = Array.from({ length: proposers }, () => bench.client(model));
      const aggregator = bench.client(model);
      const graph = createMixtureOfAgents({ proposers: clients, aggregator, layers });
      const runGraph = () => graph.invoke({ messages: question() });
      const runPlain = () => plainMoA(clients, aggregator, layers, question());
      await runGraph(); // warm-up
      await runPlain();
      const walls: number[] = [];
      const plainWalls: number[] = [];
      for (let r = 0; r < (latency === LATENCY_MS ? REPEATS : 3); r++) {
        walls.push(await timed(runGraph));
        plainWalls.push(await timed(runPlain));
      }
      const criticalPathMs = (layers + 1) * latency;
      rows.push({
        modelLatencyMs: latency,
        proposers,
        layers,
        criticalPathMs,
        medianWallMs: round(median(walls), 1),
        ratio: round(median(walls) / criticalPathMs, 3),
        plainMedianWallMs: round(median(plainWalls), 1),
        plainRatio: round(median(plainWalls) / criticalPathMs, 3),
      });
      progress("latency overhead", i + 1, shapes.length);
    }
  } finally {
    await bench.close();
  }
  return rows;
}
