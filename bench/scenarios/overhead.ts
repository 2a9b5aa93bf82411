import { IMPLEMENTATIONS } from "../implementations/index.js";
import type { Shape, Turn } from "../implementations/shape.js";
import { startModelServerProcess } from "../server-process.js";
import { progress, type Size } from "../setup.js";
import { cpuMs, median, round } from "../stats.js";

/** One shape's figures, per implementation (keyed by its name). */
export interface OverheadRow extends Shape {
  /** Client CPU per turn with models that answer at once, ms. */
  cpuMsPerTurn: Record<string, number>;
  /** `moa` CPU / `bareGraph` CPU: the median over rounds of the ratio of their blocks in the round. */
  cpuRatioToBareGraph: number;
  /** The critical path at 100 ms per model call: (layers + 1) x 100 ms. */
  criticalPathMs: number;
  /** Median wall time of a turn / critical path, with every model answering after 100 ms. */
  wallRatio: Record<string, number>;
  /** `MaxListenersExceededWarning`s Node emitted during the implementation's turns. */
  maxListenersWarnings: Record<string, number>;
}

/** One run of the overhead scenario, on one Node version. */
export interface OverheadRun {
  node: string;
  /** When it was measured (ISO 8601); absent from results written before it was recorded. */
  date?: string;
  quick: boolean;
  /** Blocks per implementation and shape in the CPU measurement. */
  blocks: number;
  /** Model calls per block (whole turns: at least one turn). */
  callsPerBlock: number;
  /** Turns per implementation and shape in the wall-time measurement. */
  wallTurns: number;
  rows: OverheadRow[];
}

/** The shapes of the comparison with the reference implementations. */
export const SHAPES: readonly Shape[] = [
  { proposers: 3, layers: 1 },
  { proposers: 3, layers: 2 },
  { proposers: 6, layers: 2 },
  { proposers: 12, layers: 3 },
];

const MODEL_LATENCY_MS = 100;

/** Blocks of turns per implementation, and model calls per block (a block is a few turns of the shape). */
const SIZES: Record<Size, { warmUp: number; blocks: number; callsPerBlock: number; wallRepeats: number }> = {
  full: { warmUp: 30, blocks: 24, callsPerBlock: 24, wallRepeats: 9 },
  quick: { warmUp: 1, blocks: 1, callsPerBlock: 1, wallRepeats: 1 },
};


/** `items` rotated by `by`, so that each takes every position in turn across blocks. */
function rotated<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * The cost of a turn split by layer: the raw `openai` client (HTTP), `ChatOpenAI` (LangChain's model
 * layer), a bare LangGraph graph of the same shape (LangGraph), and this library, all against one model
 * server in a process of its own. CPU: client CPU per turn with models answering at once, in short
 * blocks whose order rotates so that every implementation sees the same machine load; the median block
 * counts, so that a moment of load from elsewhere on a shared machine does not. Wall: the median turn
 * with every call taking 100 ms, over the critical path, the implementations taking turns.
 */
export async function overhead(size: Size): Promise<OverheadRun> {
  const { warmUp, blocks, callsPerBlock, wallRepeats } = SIZES[size];
  const server = await startModelServerProcess();
  const baseURL = `${server.url}/v1`;
  const rows: OverheadRow[] = [];
  const warnings = countListenerWarnings();
  try {
    for (const [s, shape] of SHAPES.entries()) {
      const instant = IMPLEMENTATIONS.map((impl) => ({ name: impl.name, turn: impl.create({ baseURL, model: "instant" }, shape) }));
      const slow = IMPLEMENTATIONS.map((impl) => ({ name: impl.name, turn: impl.create({ baseURL, model: "model-100ms" }, shape) }));
      const turnsPerBlock = Math.ceil(callsPerBlock / (shape.proposers * shape.layers + 1));
      const perBlock = new Map<string, number[]>(instant.map(({ name }) => [name, []]));
      const seen = new Map<string, number>(instant.map(({ name }) => [name, 0]));
      const counted = async (name: string, work: () => Promise<void>) => seen.set(name, (seen.get(name) ?? 0) + (await warnings.during(work)));
      for (const { name, turn } of instant) await counted(name, async () => {
        for (let i = 0; i < warmUp; i++) await turn();
      });
      for (let block = 0; block < blocks; block++) {
        for (const { name, turn } of rotated(instant, block)) {
          await counted(name, async () => {
            const before = cpuMs();
            for (let i = 0; i < turnsPerBlock; i++) await turn();
            perBlock.get(name)?.push((cpuMs() - before) / turnsPerBlock);
          });
        }
      }
      const walls = new Map<string, number[]>(slow.map(({ name }) => [name, []]));
      if (size === "full") for (const { name, turn } of slow) await counted(name, async () => void (await turn()));
      for (let r = 0; r < wallRepeats; r++) {
        for (const { name, turn } of rotated(slow, r)) await counted(name, async () => void walls.get(name)?.push(await timed(turn)));
      }
      const cpu = Object.fromEntries([...perBlock].map(([name, samples]) => [name, round(median(samples), 2)]));
      const moa = perBlock.get("moa") ?? [];
      const bare = perBlock.get("bareGraph") ?? [];
      const criticalPathMs = (shape.layers + 1) * MODEL_LATENCY_MS;
      rows.push({
        ...shape,
        cpuMsPerTurn: cpu,
        cpuRatioToBareGraph: round(median(moa.map((ms, i) => ms / (bare[i] ?? ms))), 3),
        criticalPathMs,
        wallRatio: Object.fromEntries([...walls].map(([name, samples]) => [name, round(median(samples) / criticalPathMs, 3)])),
        maxListenersWarnings: Object.fromEntries(seen),
      });
      progress(`overhead (${shape.proposers}x${shape.layers})`, s + 1, SHAPES.length);
    }
  } finally {
    warnings.stop();
    await server.close();
  }
  return { node: process.version, date: new Date().toISOString(), quick: size === "quick", blocks, callsPerBlock, wallTurns: wallRepeats, rows };
}

async function timed(turn: Turn): Promise<number> {
  const started = performance.now();
  await turn();
  return performance.now() - started;
}

/**
 * Counts Node's `MaxListenersExceededWarning`s instead of printing them (a bare LangGraph graph of 12
 * proposers prints one per step on Node 20 and 22), until `stop()` puts the printing back.
 */
function countListenerWarnings(): { during(work: () => Promise<void>): Promise<number>; stop(): void } {
  const printers = process.listeners("warning");
  process.removeAllListeners("warning");
  let count = 0;
  const onWarning = (warning: Error) => {
    if (warning.name === "MaxListenersExceededWarning") count += 1;
    else printers.forEach((print) => print(warning));
  };
  process.on("warning", onWarning);
  return {
    async during(work) {
      const before = count;
      await work();
      // Node emits a warning on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      return count - before;
    },
    stop() {
      process.off("warning", onWarning);
      printers.forEach((print) => process.on("warning", print));
    },
  };
}
