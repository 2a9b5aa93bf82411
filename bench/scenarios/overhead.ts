import { IMPLEMENTATIONS } from "../implementations/index.js";
import type { Shape, Turn } from "../implementations/shape.js";
import { startModelServerProcess } from "../server-process.js";
import { progress, type Size } from "../setup.js";
import { seeded } from "../../tools/seeded-random.js";
import { cpuMs, median, ratioInterval, round } from "../stats.js";

/** One shape's figures, per implementation (keyed by its name). */
export interface OverheadRow extends Shape {
  /** Client CPU per turn with models that answer at once: the mean over the rounds, ms. */
  cpuMsPerTurn: Record<string, number>;
  /** `moa` CPU / `bareGraph` CPU: their total CPU over the same rounds. */
  cpuRatioToBareGraph: number;
  /** The 95 % interval of `cpuRatioToBareGraph` (bootstrap over the rounds); absent from results written before it was. */
  cpuRatioInterval?: [number, number];
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
  /**
   * Model calls of this library's turns per shape in the CPU measurement, in rounds of one turn of each
   * implementation (as many rounds as turns); absent from results written before it was.
   */
  cpuCalls?: number;
  /** Model calls of each implementation's warm-up turns, in rounds as measured; absent from results written before it was. */
  warmUpCalls?: number;
  /** Blocks per implementation and shape in the CPU measurement of results written before `rounds`. */
  blocks?: number;
  /** Model calls per block, in results written before `rounds`. */
  callsPerBlock?: number;
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

/**
 * Model calls of each implementation's warm-up turns and of this library's turns over the measured rounds
 * of a shape, and wall-time turns. The warm-up is counted in model calls, as the rounds are, so every
 * shape runs its code about as often before it is measured: in runs with a warm-up of 30 turns, this
 * library's extra CPU over the bare graph in the first 500 rounds of 3 x 1 was about twice that of the
 * rounds after (V8 still compiling, on threads whose CPU the process's counts).
 */
const SIZES: Record<Size, { warmUpCalls: number; calls: number; wallRepeats: number }> = {
  full: { warmUpCalls: 2000, calls: 4000, wallRepeats: 9 },
  quick: { warmUpCalls: 1, calls: 1, wallRepeats: 1 },
};


/** `items` rotated by `by`, so that each takes every position in turn across blocks. */
function rotated<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/**
 * The cost of a turn split by layer: the raw `openai` client (HTTP), `ChatOpenAI` (LangChain's model
 * layer), a bare LangGraph graph of the same shape (LangGraph), and this library, all against one model
 * server in a process of its own. CPU: client CPU per turn with models answering at once, in rounds of one
 * turn of each implementation (their order rotating), so that a shared machine's load, which changes
 * within a second, falls on all of them alike; the mean over the rounds counts, garbage collection
 * included, and the ratio to the bare graph comes with its 95 % interval. Wall: the median turn with every
 * call taking 100 ms, over the critical path, the implementations taking turns.
 */
export async function overhead(size: Size): Promise<OverheadRun> {
  const { warmUpCalls, calls, wallRepeats } = SIZES[size];
  const random = seeded(7);
  const server = await startModelServerProcess();
  const baseURL = `${server.url}/v1`;
  const rows: OverheadRow[] = [];
  const warnings = countListenerWarnings();
  try {
    for (const [s, shape] of SHAPES.entries()) {
      const instant = IMPLEMENTATIONS.map((impl) => ({ name: impl.name, turn: impl.create({ baseURL, model: "instant" }, shape) }));
      const slow = IMPLEMENTATIONS.map((impl) => ({ name: impl.name, turn: impl.create({ baseURL, model: "model-100ms" }, shape) }));
      const callsPerTurn = shape.proposers * shape.layers + 1;
      const rounds = Math.ceil(calls / callsPerTurn);
      const perTurn = new Map<string, number[]>(instant.map(({ name }) => [name, []]));
      const seen = new Map<string, number>(instant.map(({ name }) => [name, 0]));
      const counted = async (name: string, work: () => Promise<void>) => seen.set(name, (seen.get(name) ?? 0) + (await warnings.during(work)));
      for (let round = 0; round < Math.ceil(warmUpCalls / callsPerTurn); round++) {
        for (const { name, turn } of rotated(instant, round)) await counted(name, async () => void (await turn()));
      }
      for (let round = 0; round < rounds; round++) {
        for (const { name, turn } of rotated(instant, round)) {
          const before = cpuMs();
          await turn();
          perTurn.get(name)?.push(cpuMs() - before);
        }
      }
      const walls = new Map<string, number[]>(slow.map(({ name }) => [name, []]));
      if (size === "full") for (const { name, turn } of slow) await counted(name, async () => void (await turn()));
      for (let r = 0; r < wallRepeats; r++) {
        for (const { name, turn } of rotated(slow, r)) await counted(name, async () => void walls.get(name)?.push(await timed(turn)));
      }
      const cpu = Object.fromEntries([...perTurn].map(([name, samples]) => [name, round(mean(samples), 2)]));
      const moa = perTurn.get("moa") ?? [];
      const bare = perTurn.get("bareGraph") ?? [];
      const [low, high] = ratioInterval(moa, bare, random);
      const criticalPathMs = (shape.layers + 1) * MODEL_LATENCY_MS;
      rows.push({
        ...shape,
        cpuMsPerTurn: cpu,
        cpuRatioToBareGraph: round(mean(moa) / mean(bare), 3),
        cpuRatioInterval: [round(low, 3), round(high, 3)],
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
  return { node: process.version, date: new Date().toISOString(), quick: size === "quick", cpuCalls: calls, warmUpCalls, wallTurns: wallRepeats, rows };
}

const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;

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
