/**
 * Isolates async-context propagation: `@langchain/core` enters an `AsyncLocalStorage` context for
 * every runnable (`runWithConfig` -> `storage.run`), and while any `AsyncLocalStorage` is in use,
 * Node before 24 (without AsyncContextFrame) runs promise hooks on every promise the process creates.
 * Times, before LangGraph is loaded, `als.run(store, fn)` against `fn()` and a chain of awaits with a
 * storage active against none; then counts context entries and promises per task in the bare graph.
 *
 *   node --import tsx bench/upstream/async-context.ts
 */
import { AsyncLocalStorage, createHook } from "node:async_hooks";
import { cpuPerOp, keep, progress, report } from "./harness.js";

const als = new AsyncLocalStorage<object>();
const store = {};
const fn = () => 1;
async function awaits(times: number): Promise<void> {
  for (let i = 0; i < times; i++) keep(await Promise.resolve(i));
}

progress("async context: measuring");
const perCall = await cpuPerOp(
  {
    run: (ops) => {
      for (let i = 0; i < ops; i++) keep(als.run(store, fn));
    },
    call: (ops) => {
      for (let i = 0; i < ops; i++) keep(fn());
    },
    awaitsWithStorage: (ops) => als.run(store, () => awaits(ops)),
    awaitsWithout: (ops) => {
      als.disable(); // with no storage in use, Node 20/22 turn their promise hooks off
      return awaits(ops);
    },
  },
  { ops: 50_000 },
);

// Promises per awaited iteration, counted with the hook on (as the per-task count below is).
let promises = 0;
const hook = createHook({
  init(_id, type) {
    if (type === "PROMISE") promises++;
  },
}).enable();
await als.run(store, () => awaits(1000));
hook.disable();
const promisesPerAwait = promises / 1000;
const perPromise = (perCall.awaitsWithStorage - perCall.awaitsWithout) / promisesPerAwait;

progress("async context: counting per task");
const { callsPerTask, promisesPerTask } = await import("./graph.js");
const calls = await callsPerTask({ runWithConfig: { file: "@langchain/core/dist/singletons/async_local_storage/index.js", name: "runWithConfig" } });
const taskPromises = await promisesPerTask();

report({
  id: "async-context",
  cause: "async context (`AsyncLocalStorage.run` per runnable, promise hooks)",
  unit: "task",
  us: calls.runWithConfig * (perCall.run - perCall.call) + taskPromises * perPromise,
  fix: "Node 24 (AsyncContextFrame; Node 22: --experimental-async-context-frame) drops the promise hooks; @langchain/langgraph dist/utils.js `RunnableCallable.invoke`: one context per task, not one per internal runnable",
  detail: {
    "context entries (runWithConfig) per task": calls.runWithConfig,
    "promises per task": taskPromises,
    "als.run(), µs": perCall.run,
    "plain call, µs": perCall.call,
    "await with a storage in use, µs": perCall.awaitsWithStorage,
    "await with none, µs": perCall.awaitsWithout,
    "promises per await": promisesPerAwait,
    "extra per promise, µs": perPromise,
  },
});
