/**
 * Shared by the reproductions in this folder: CPU time per operation, taken as the median of
 * interleaved blocks after warm-up blocks, and the one-line result each reproduction prints (as JSON
 * with `--json`, which is what `run.ts` reads). Imports nothing from LangChain, so a reproduction can
 * time plain Node.js before LangGraph is loaded.
 */

import { median } from "../../tools/quantile.js";

/** Runs the operation under test `ops` times (synchronously, or returning a promise). */
export type Block = (ops: number) => unknown;

export interface CpuOptions {
  /** Operations per block. */
  ops: number;
  /** Measured blocks per variant (default 9). */
  blocks?: number;
  /** Unmeasured blocks per variant first (default 3). */
  warmup?: number;
}

/** Process CPU time (user + system, all threads, so garbage collection counts) in microseconds. */
export function cpuMicros(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}


/**
 * CPU microseconds per operation of each variant, one sample per block: the variants' blocks alternate
 * (the order rotates every round) so that they all see the same machine load.
 */
export async function cpuSamples<K extends string>(variants: Record<K, Block>, options: CpuOptions): Promise<Record<K, number[]>> {
  const { ops, blocks = 9, warmup = 3 } = options;
  const names = Object.keys(variants) as K[];
  const samples = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<K, number[]>;
  for (let round = 0; round < warmup + blocks; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length]!;
      const before = cpuMicros();
      await variants[name](ops);
      const spent = cpuMicros() - before;
      if (round >= warmup) samples[name].push(spent / ops);
    }
  }
  return samples;
}

/** The median of {@link cpuSamples}. */
export async function cpuPerOp<K extends string>(variants: Record<K, Block>, options: CpuOptions): Promise<Record<K, number>> {
  const samples = await cpuSamples(variants, options);
  return Object.fromEntries(Object.entries<number[]>(samples).map(([name, values]) => [name, median(values)])) as Record<K, number>;
}

/** Keeps results alive so that the optimiser cannot drop the work that produced them. */
export const sink: unknown[] = [];
export function keep(value: unknown): void {
  sink[sink.length & 1023] = value;
}

/** What one reproduction found. */
export interface Finding {
  /** The script's name in this folder, without `.ts`. */
  id: string;
  /** Row label. */
  cause: string;
  /** What `us` is per: a graph task, a message read from a checkpoint, or a graph invocation. */
  unit: "task" | "message" | "invoke";
  /** CPU microseconds per unit that the upstream fix removes. */
  us: number;
  /** The bare task measured in the same process, when `us` comes from an A/B run of the bare graph. */
  bare?: number;
  /** The upstream change, in one line. */
  fix: string;
  /** The measurements `us` is computed from (per-call costs, calls per task, ...). */
  detail: Record<string, number | string>;
}

const round = (value: number): number => (Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(3)));

/** Prints the finding: one JSON line with `--json`, a readable block otherwise. */
export function report(finding: Finding): void {
  const rounded: Finding = {
    ...finding,
    us: round(finding.us),
    ...(finding.bare === undefined ? {} : { bare: round(finding.bare) }),
    detail: Object.fromEntries(Object.entries(finding.detail).map(([key, value]) => [key, typeof value === "number" ? round(value) : value])),
  };
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify({ node: process.version, ...rounded }));
    return;
  }
  console.log(`${rounded.cause} (Node ${process.version}): ${rounded.us} µs CPU per ${rounded.unit}`);
  for (const [key, value] of Object.entries(rounded.detail)) console.log(`  ${key}: ${value}`);
  console.log(`  upstream fix: ${rounded.fix}`);
}

/** Progress on stderr, so that `--json` output stays one line. */
export function progress(message: string): void {
  process.stderr.write(`  [${process.version}] ${message}\n`);
}
