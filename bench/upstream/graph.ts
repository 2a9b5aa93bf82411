/**
 * The bare LangGraph graph the reproductions compare against, and counts of what one of its tasks
 * does: a `StateGraph` whose `fan` node sends `sends` parallel `Send("task")` of a no-op function.
 * The cost of one task is the difference between a run with `sends` tasks and a run with none,
 * divided by `sends`; counts per task are taken the same way, from V8's precise coverage (exact call
 * counts per function) or from an `async_hooks` hook for promises. `perTaskWithPatch` measures the
 * cost per task with a stand-in for an upstream fix applied, against the installed code.
 */
import { createHook } from "node:async_hooks";
import { Session } from "node:inspector/promises";
import { setMaxListeners } from "node:events";
import { Annotation, END, type LangGraphRunnableConfig, Send, START, StateGraph } from "@langchain/langgraph";
import { median } from "../../tools/quantile.js";
import { cpuSamples } from "./harness.js";

/** Parallel tasks per run: at most 10 keeps Node from warning about listeners on the run's AbortSignal. */
export const SENDS = 8;

const State = Annotation.Root({ n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });

/** `fan` -> `sends` x `task` (no-op) -> end. */
export function bareGraph(sends: number, onTask?: (config: LangGraphRunnableConfig) => void) {
  return new StateGraph(State)
    .addNode("fan", () => ({}))
    .addNode("task", (_state: typeof State.State, config: LangGraphRunnableConfig) => {
      onTask?.(config);
      return { n: 1 };
    })
    .addEdge(START, "fan")
    .addConditionalEdges("fan", () => Array.from({ length: sends }, () => new Send("task", {})), ["task"])
    .addEdge("task", END)
    .compile();
}

/** Anything invoked with the bare graphs' input. */
interface Invocable {
  invoke(input: { n: number }): Promise<unknown>;
}

export async function invokeTimes(graph: Invocable, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await graph.invoke({ n: 0 });
}

/** The config a task's function receives: a realistic argument for the config helpers. */
export async function taskConfig(): Promise<LangGraphRunnableConfig> {
  let seen: LangGraphRunnableConfig | undefined;
  await bareGraph(1, (config) => (seen = config)).invoke({ n: 0 });
  if (!seen) throw new Error("the task did not run");
  return seen;
}

/** A function to count: a path suffix inside node_modules and the function's name. */
export interface Counted {
  file: string;
  name: string;
}

/**
 * Calls per task of each function, from V8 precise coverage with call counts. Coverage stops
 * optimisation, so call this after the timing, never before.
 */
export async function callsPerTask<K extends string>(functions: Record<K, Counted>, runs = 20): Promise<Record<K, number>> {
  setMaxListeners(0);
  const withTasks = bareGraph(SENDS);
  const without = bareGraph(0);
  await invokeTimes(withTasks, 5);
  await invokeTimes(without, 5);
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.startPreciseCoverage", { callCount: true, detailed: false });
  const count = async (graph: Invocable): Promise<Record<K, number>> => {
    await session.post("Profiler.takePreciseCoverage"); // resets the counters
    await invokeTimes(graph, runs);
    const { result } = await session.post("Profiler.takePreciseCoverage");
    const counts = Object.fromEntries(Object.keys(functions).map((key) => [key, 0])) as Record<K, number>;
    for (const script of result) {
      for (const fn of script.functions) {
        for (const [key, { file, name }] of Object.entries<Counted>(functions)) {
          if (fn.functionName === name && script.url.endsWith(file)) counts[key as K] += fn.ranges[0]?.count ?? 0;
        }
      }
    }
    return counts;
  };
  const a = await count(withTasks);
  const b = await count(without);
  await session.post("Profiler.stopPreciseCoverage");
  session.disconnect();
  return Object.fromEntries(Object.keys(functions).map((key) => [key, (a[key as K] - b[key as K]) / (runs * SENDS)])) as Record<K, number>;
}

/** Promises created per task (an `async_hooks` init hook; enabling it changes timing, so call it last). */
export async function promisesPerTask(runs = 20): Promise<number> {
  setMaxListeners(0);
  const withTasks = bareGraph(SENDS);
  const without = bareGraph(0);
  await invokeTimes(withTasks, 5);
  await invokeTimes(without, 5);
  let promises = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === "PROMISE") promises++;
    },
  }).enable();
  const count = async (graph: Invocable) => {
    promises = 0;
    await invokeTimes(graph, runs);
    return promises;
  };
  const a = await count(withTasks);
  const b = await count(without);
  hook.disable();
  return (a - b) / (runs * SENDS);
}

/** A stand-in for an upstream fix, switched on and off around a block of runs. */
export interface Patch {
  apply(): void;
  restore(): void;
}

/**
 * CPU µs per task of the bare graph as installed and with `patch` applied, blocks alternating, and
 * the same for one invocation of the graph with no Send task.
 */
export async function perTaskWithPatch(patch: Patch, ops = 30): Promise<{ stock: number; patched: number; stockInvoke: number; patchedInvoke: number }> {
  setMaxListeners(0);
  const withTasks = bareGraph(SENDS);
  const without = bareGraph(0);
  const patched = (block: () => Promise<void>) => async () => {
    patch.apply();
    try {
      await block();
    } finally {
      patch.restore();
    }
  };
  await invokeTimes(withTasks, 300);
  await invokeTimes(without, 300);
  await patched(() => invokeTimes(withTasks, 300))();
  await patched(() => invokeTimes(without, 300))();
  const samples = await cpuSamples(
    {
      stockTasks: (n) => invokeTimes(withTasks, n),
      stockNone: (n) => invokeTimes(without, n),
      patchedTasks: (n) => patched(() => invokeTimes(withTasks, n))(),
      patchedNone: (n) => patched(() => invokeTimes(without, n))(),
    },
    { ops, blocks: 11, warmup: 2 },
  );
  const perTask = (tasks: number[], none: number[]) => median(tasks.map((value, i) => (value - none[i]!) / SENDS));
  return {
    stock: perTask(samples.stockTasks, samples.stockNone),
    patched: perTask(samples.patchedTasks, samples.patchedNone),
    stockInvoke: median(samples.stockNone),
    patchedInvoke: median(samples.patchedNone),
  };
}
