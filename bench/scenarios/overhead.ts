import { IMPLEMENTATIONS } from "../implementations/index.js";
import type { Shape, Turn } from "../implementations/shape.js";
import { startModelServerProcess } from "../server-process.js";
import { progress, type Size } from "../setup.js";
import { median, round } from "../stats.js";

/** One shape's figures, per implementation (keyed by its name). */
export interface OverheadRow extends Shape {
  /** Client CPU per turn with models that answer at once, ms. */
  cpuMsPerTurn: Record<string, number>;
  /** `moa` CPU / `bareGraph` CPU. */
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
  quick: boolean;
  /** Turns per implementation and shape in the CPU measurement. */
  cpuTurns: number;
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

const SIZES: Record<Size, { warmUp: number; blocks: number; turnsPerBlock: number; wallRepeats: number }> = {
  full: { warmUp: 30, blocks: 8, turnsPerBlock: 30, wallRepeats: 9 },
  quick: { warmUp: 1, blocks: 1, turnsPerBlock: 2, wallRepeats: 1 },
};

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** `items` rotated by `by`, so that each takes every position in turn across blocks. */
function rotated<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * The cost of a turn split by layer: the raw `openai` client (HTTP), `ChatOpenAI` (LangChain's model
 * layer), a bare LangGraph graph of the same shape (LangGraph), and this library, all against one model
 * server in a process of its own. CPU: client CPU per turn with models answering at once, in blocks
 * whose order rotates so that every implementation sees the same machine load. Wall: the median turn
 * with every call taking 100 ms, over the critical path, the implementations taking turns.
 */
export async function overhead(size: Size): Promise<OverheadRun> {
  const { warmUp, blocks, turnsPerBlock, wallRepeats } = SIZES[size];
  const server = await startModelServerProcess();
  const baseURL = `${server.url}/v1`;
  const rows: OverheadRow[] = [];
  const warnings = countListenerWarnings();
  try {
    for (const [s, shape] of SHAPES.entries()) {
      const instant = IMPLEMENTATIONS.map((impl) => ({ name: impl.name, turn: impl.create({ baseURL, model: "instant" }, shape) }));
      const slow = IMPLEMENTATIONS.map((impl) => ({ name: impl.name, turn: impl.create({ baseURL, model: "model-100ms" }, shape) }));
      const spent = new Map<string, number>(instant.map(({ name }) => [name, 0]));
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
            spent.set(name, (spent.get(name) ?? 0) + cpuMs() - before);
          });
        }
      }
      const walls = new Map<string, number[]>(slow.map(({ name }) => [name, []]));
      if (size === "full") for (const { name, turn } of slow) await counted(name, async () => void (await turn()));
      for (let r = 0; r < wallRepeats; r++) {
        for (const { name, turn } of rotated(slow, r)) await counted(name, async () => void walls.get(name)?.push(await timed(turn)));
      }
      const turns = blocks * turnsPerBlock;
      const cpu = Object.fromEntries([...spent].map(([name, ms]) => [name, round(ms / turns, 2)]));
      const criticalPathMs = (shape.layers + 1) * MODEL_LATENCY_MS;
      rows.push({
        ...shape,
        cpuMsPerTurn: cpu,
        cpuRatioToBareGraph: round((spent.get("moa") ?? 0) / (spent.get("bareGraph") ?? 1), 3),
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
  return { node: process.version, quick: size === "quick", cpuTurns: blocks * turnsPerBlock, wallTurns: wallRepeats, rows };
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
