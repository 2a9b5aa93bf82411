import { createMixtureOfAgents } from "../../src/index.js";
import { plainMoA } from "../plain-moa.js";
import { progress, question, startBench } from "../setup.js";
import { round } from "../stats.js";

/** CPU time per turn of the graph and of the plain `Promise.all` floor, measured side by side. */
export interface CpuResult {
  turnsEach: number;
  graphCpuMsPerTurn: number;
  plainCpuMsPerTurn: number;
  ratio: number;
}

const BLOCKS = 6;
const TURNS_PER_BLOCK = 50;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Zero-latency models, 3 proposers x 2 layers + aggregator, sequential turns; blocks of the graph and
 * of the plain implementation alternate so that both see the same machine load. The CPU includes the
 * server's (it runs in this process) and the clients', which both implementations share.
 */
export async function cpuCost(): Promise<CpuResult> {
  const bench = await startBench({ model: { text: "an answer of a few words" } });
  const proposers = Array.from({ length: 3 }, () => bench.client("model"));
  const aggregator = bench.client("model");
  const graph = createMixtureOfAgents({ proposers, aggregator, layers: 2 });
  const run = {
    graph: () => graph.invoke({ messages: question() }),
    plain: () => plainMoA(proposers, aggregator, 2, question()),
  };
  const spent = { graph: 0, plain: 0 };
  try {
    for (const kind of ["graph", "plain"] as const) for (let i = 0; i < 20; i++) await run[kind](); // warm-up
    for (let block = 0; block < BLOCKS; block++) {
      for (const kind of block % 2 === 0 ? (["graph", "plain"] as const) : (["plain", "graph"] as const)) {
        const before = cpuMs();
        for (let i = 0; i < TURNS_PER_BLOCK; i++) await run[kind]();
        spent[kind] += cpuMs() - before;
      }
      progress("cpu cost", block + 1, BLOCKS);
    }
  } finally {
    await bench.close();
  }
  const turnsEach = BLOCKS * TURNS_PER_BLOCK;
  const graphCpuMsPerTurn = spent.graph / turnsEach;
  const plainCpuMsPerTurn = spent.plain / turnsEach;
  return { turnsEach, graphCpuMsPerTurn: round(graphCpuMsPerTurn, 3), plainCpuMsPerTurn: round(plainCpuMsPerTurn, 3), ratio: round(graphCpuMsPerTurn / plainCpuMsPerTurn, 3) };
}
