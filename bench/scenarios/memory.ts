import { MemorySaver } from "@langchain/langgraph";
import { library } from "../library.js";
import { progress, question, startBench, type Size } from "../setup.js";
import { round } from "../stats.js";

const { createMixtureOfAgents } = library;

/** Heap growth over many sequential turns, with and without a checkpointer. */
export interface MemoryRow {
  checkpointer: string;
  turns: number;
  heapBeforeMb: number;
  heapAfterMb: number;
  growthMb: number;
  /** Bytes the checkpointer holds (its serialized checkpoints and writes). */
  checkpointDataMb: number;
  /** Growth not explained by the checkpoint data. */
  unexplainedMb: number;
  /** Memory once the graph and its checkpointer are dropped: what the turns left behind elsewhere. */
  afterDroppingMb: number;
}

const TURNS: Record<Size, number> = { full: 10_000, quick: 200 };

/** The JS heap plus memory outside it (the checkpointer's serialized bytes live in ArrayBuffers). */
function heapMb(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  const { heapUsed, external } = process.memoryUsage();
  return (heapUsed + external) / 2 ** 20;
}

/** Bytes held by a MemorySaver: its stored checkpoints and pending writes (typed arrays and strings). */
function storedBytes(saver: MemorySaver): number {
  let bytes = 0;
  const visit = (value: unknown): void => {
    if (value instanceof Uint8Array) bytes += value.byteLength;
    else if (typeof value === "string") bytes += value.length;
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") Object.values(value).forEach(visit);
  };
  visit(saver.storage);
  visit(saver.writes);
  return bytes;
}

/**
 * 10,000 sequential turns (200 in a quick run; 1 proposer, 1 layer, zero latency), each on a new thread when checkpointed,
 * so the checkpoint data grows by a fixed amount per turn; the heap is measured after a full GC.
 */
export async function memory(size: Size): Promise<MemoryRow[]> {
  const turns = TURNS[size];
  const bench = await startBench({ model: { text: "an answer of a few words" } });
  const rows: MemoryRow[] = [];
  try {
    for (const withSaver of [false, true]) {
      let saver = withSaver ? new MemorySaver() : undefined;
      let graph: ReturnType<typeof createMixtureOfAgents> | undefined = createMixtureOfAgents({ proposers: [bench.client("model")], aggregator: bench.client("model"), ...(saver ? { checkpointer: saver } : {}) });
      for (let t = 0; t < 50; t++) await graph?.invoke({ messages: question() }, { configurable: { thread_id: `warm-${t}` } });
      bench.server.requests.length = 0;
      const before = heapMb();
      for (let t = 0; t < turns; t++) {
        await graph?.invoke({ messages: question() }, { configurable: { thread_id: `t-${t}` } });
        bench.server.requests.length = 0; // the test server's own record is not the MoA's memory
        if ((t + 1) % Math.min(1000, turns) === 0) progress(`memory (${withSaver ? "MemorySaver" : "no checkpointer"})`, t + 1, turns);
      }
      const after = heapMb();
      const data = saver ? storedBytes(saver) / 2 ** 20 : 0;
      const dropped = saver && new WeakRef(saver);
      saver = undefined;
      graph = undefined;
      // Let the last turn's timers and callbacks finish, so that nothing of it holds the graph.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const afterDropping = heapMb();
      // Model calls run outside the turn's async context (see `outsideTurnContext`), so no pooled socket keeps it.
      if (dropped?.deref() !== undefined) throw new Error("The dropped MemorySaver is still in memory: something (a pooled socket, a timer) keeps a turn's async context.");
      rows.push({
        checkpointer: withSaver ? "MemorySaver" : "none",
        turns,
        heapBeforeMb: round(before, 1),
        heapAfterMb: round(after, 1),
        growthMb: round(after - before, 1),
        checkpointDataMb: round(data, 1),
        unexplainedMb: round(after - before - data, 1),
        afterDroppingMb: round(afterDropping, 1),
      });
    }
  } finally {
    await bench.close();
  }
  return rows;
}
