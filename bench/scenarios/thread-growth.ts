/**
 * Long conversations on a thread: the client CPU and wall time of each turn, turns 1 to 100 of one thread,
 * for this library, a bare LangGraph graph of the same shape on the same checkpointer, and the raw client
 * keeping the conversation in an array; and the bytes each checkpointer stores for the thread.
 */
import { execFileSync } from "node:child_process";
import type { ThreadTurn } from "../implementations/bare-langgraph-thread.js";
import { progress, type Size } from "../setup.js";
import { cpuMs, ratioInterval, round } from "../stats.js";
import { seeded } from "../../tools/seeded-random.js";
import { ANSWER_BYTES } from "./thread-growth-answer.js";
import { bareGraphThread, CHECKPOINTED, libraryThread, rawThread, THREAD_SHAPE, type ThreadImplName } from "./thread-growth-implementations.js";
import { openSavers, type BenchSaver, type SaverKind } from "./thread-growth-savers.js";
import { startThreadGrowthServer } from "./thread-growth-server-process.js";

/** One checkpointer's figures; series are indexed by turn (index 0 = turn 1). */
export interface ThreadGrowthSaverRun {
  saver: SaverKind;
  /** Client CPU of each turn (process CPU, every thread, GC included), ms: the mean over the repeats, by implementation. */
  cpuMs: Record<ThreadImplName, number[]>;
  /** Wall time of each turn, ms: the mean over the repeats, by implementation. */
  wallMs: Record<ThreadImplName, number[]>;
  /** Bytes the checkpointer stores for the first repeat's thread after each of the run's `bytesAt` turns, by checkpointed implementation. */
  storedBytes: Partial<Record<ThreadImplName, number[]>>;
  /** `moa` CPU / `bareGraph` CPU over the run's `ratioWindow` turns: their totals over the same (repeat, turn) pairs. */
  cpuRatio: number;
  /** The 95 % interval of `cpuRatio` (bootstrap over the pairs). */
  cpuRatioInterval: [number, number];
  /** `moa` CPU / `bareGraphExit` CPU (the bare graph at the library's durability), as `cpuRatio`; absent from runs before it was measured. */
  cpuRatioExit?: number;
  /** The 95 % interval of `cpuRatioExit`. */
  cpuRatioExitInterval?: [number, number];
  /** How long the checkpointer's turns took in all, warm-up included, ms. */
  durationMs: number;
}

/** One run of the scenario, on one Node version. */
export interface ThreadGrowthRun {
  node: string;
  /** When it was measured (ISO 8601). */
  date: string;
  quick: boolean;
  /** The project's commit (`git log --oneline -1`), and whether `src/` differed from it (the built package is the working tree's). */
  commit: string;
  srcChanged: boolean;
  proposers: number;
  layers: number;
  /** Turns per thread, and threads per implementation and checkpointer (their per-turn figures are averaged). */
  turns: number;
  repeats: number;
  /** Turns each implementation ran on a thread of its own before the measured threads, per checkpointer. */
  warmUpTurns: number;
  /** Shortest and longest model answer, bytes. */
  answerBytes: readonly [number, number];
  /** The turn ranges whose means the report shows (1-based, inclusive), and the one of the CPU ratio. */
  windows: Array<[number, number]>;
  ratioWindow: [number, number];
  /** After which turns the stored bytes were counted. */
  bytesAt: number[];
  savers: ThreadGrowthSaverRun[];
}

const SIZES: Record<Size, { turns: number; repeats: number; warmUpTurns: number; savers: SaverKind[]; windows: Array<[number, number]>; ratioWindow: [number, number]; bytesAt: number[] }> = {
  full: { turns: 100, repeats: 5, warmUpTurns: 15, savers: ["memory", "sqlite", "postgres"], windows: [[1, 10], [31, 40], [91, 100]], ratioWindow: [31, 40], bytesAt: [40, 100] },
  quick: { turns: 6, repeats: 1, warmUpTurns: 2, savers: ["memory", "sqlite"], windows: [[1, 2], [3, 4], [5, 6]], ratioWindow: [3, 4], bytesAt: [3, 6] },
};

/** The question of a thread's `turn`-th turn. */
const question = (turn: number) => `Question ${turn}: what are the trade-offs of a mixture of agents, given what we said so far?`;

/** `items` rotated by `by`, so that each takes every position in turn. */
function rotated<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** The commit the figures were measured at, and whether `src/` has changes not in it. */
function sourceVersion(): { commit: string; srcChanged: boolean } {
  const git = (...args: string[]) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    return { commit: git("log", "--oneline", "-1"), srcChanged: git("status", "--porcelain", "--", "src") !== "" };
  } catch {
    return { commit: "unknown", srcChanged: false };
  }
}

/** Runs one checkpointer's threads: `repeats` threads per implementation, their turns interleaved. */
async function runSaver(kind: SaverKind, baseURL: string, size: (typeof SIZES)[Size], random: () => number): Promise<ThreadGrowthSaverRun> {
  const started = performance.now();
  const factory = await openSavers(kind);
  try {
    const savers: Partial<Record<ThreadImplName, BenchSaver>> = {
      moa: await factory.create("moa"),
      bareGraph: await factory.create("bare_graph"),
      bareGraphExit: await factory.create("bare_graph_exit"),
    };
    const impls: Array<{ name: ThreadImplName; turn: ThreadTurn }> = [
      { name: "moa", turn: libraryThread(baseURL, (savers.moa as BenchSaver).saver) },
      { name: "bareGraph", turn: bareGraphThread(baseURL, (savers.bareGraph as BenchSaver).saver) },
      { name: "bareGraphExit", turn: bareGraphThread(baseURL, (savers.bareGraphExit as BenchSaver).saver, "exit") },
      { name: "raw", turn: rawThread(baseURL) },
    ];
    for (let turn = 1; turn <= size.warmUpTurns; turn++) {
      for (const { name, turn: ask } of rotated(impls, turn)) await ask(`warm-up-${name}`, question(turn));
    }
    const cpu = new Map(impls.map(({ name }) => [name, Array.from({ length: size.turns }, (): number[] => [])]));
    const wall = new Map(impls.map(({ name }) => [name, Array.from({ length: size.turns }, (): number[] => [])]));
    const storedBytes: Partial<Record<ThreadImplName, number[]>> = Object.fromEntries(CHECKPOINTED.map((name) => [name, []]));
    for (let repeat = 0; repeat < size.repeats; repeat++) {
      for (let turn = 1; turn <= size.turns; turn++) {
        for (const { name, turn: ask } of rotated(impls, turn - 1 + repeat)) {
          const cpuBefore = cpuMs();
          const wallBefore = performance.now();
          await ask(`${name}-${repeat}`, question(turn));
          wall.get(name)?.[turn - 1]?.push(performance.now() - wallBefore);
          cpu.get(name)?.[turn - 1]?.push(cpuMs() - cpuBefore);
        }
        if (repeat === 0 && size.bytesAt.includes(turn)) {
          for (const name of CHECKPOINTED) storedBytes[name]?.push(await (savers[name] as BenchSaver).storedBytes(`${name}-${repeat}`));
        }
        progress(`thread growth (${kind}, thread ${repeat + 1}/${size.repeats}): turns`, turn, size.turns);
      }
    }
    const perTurnMean = (samples: Map<ThreadImplName, number[][]>) =>
      Object.fromEntries([...samples].map(([name, turns]) => [name, turns.map((values) => round(values.reduce((sum, value) => sum + value, 0) / values.length, 2))])) as Record<ThreadImplName, number[]>;
    const [from, to] = size.ratioWindow;
    const pairs = (name: ThreadImplName) => (cpu.get(name) ?? []).slice(from - 1, to).flat();
    const moa = pairs("moa");
    const bare = pairs("bareGraph");
    const total = (values: number[]) => values.reduce((sum, value) => sum + value, 0);
    const bareExit = pairs("bareGraphExit");
    const [low, high] = ratioInterval(moa, bare, random);
    const [lowExit, highExit] = ratioInterval(moa, bareExit, random);
    return {
      saver: kind,
      cpuMs: perTurnMean(cpu),
      wallMs: perTurnMean(wall),
      storedBytes,
      cpuRatio: round(total(moa) / total(bare), 3),
      cpuRatioInterval: [round(low, 3), round(high, 3)],
      cpuRatioExit: round(total(moa) / total(bareExit), 3),
      cpuRatioExitInterval: [round(lowExit, 3), round(highExit, 3)],
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await factory.close();
  }
}

/**
 * The scenario: for each checkpointer (MemorySaver, SQLite, PostgreSQL; a quick run leaves PostgreSQL out),
 * warm-up turns on threads of their own, then `repeats` threads per implementation of `turns` turns each
 * (3 proposers x 1 layer, answers of 1 to 2 KB, models answering at once from a server in a process of its
 * own), the implementations taking turns turn by turn (their order rotating) so that the machine's load falls
 * on all of them alike. The stored bytes are counted outside the measured turns.
 */
export async function threadGrowth(sizeName: Size): Promise<ThreadGrowthRun> {
  const size = SIZES[sizeName];
  const version = sourceVersion();
  const random = seeded(11);
  const server = await startThreadGrowthServer();
  const savers: ThreadGrowthSaverRun[] = [];
  try {
    for (const kind of size.savers) savers.push(await runSaver(kind, `${server.url}/v1`, size, random));
  } finally {
    await server.close();
  }
  return {
    node: process.version,
    date: new Date().toISOString(),
    quick: sizeName === "quick",
    ...version,
    ...THREAD_SHAPE,
    turns: size.turns,
    repeats: size.repeats,
    warmUpTurns: size.warmUpTurns,
    answerBytes: ANSWER_BYTES,
    windows: size.windows,
    ratioWindow: size.ratioWindow,
    bytesAt: size.bytesAt,
    savers,
  };
}
