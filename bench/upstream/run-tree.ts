/**
 * Isolates the LangSmith `RunTree` that `@langchain/core` creates for every runnable it runs, with
 * tracing off: `AsyncLocalStorageProvider.runWithConfig` stores
 * `new RunTree({ name: "<runnable_lambda>", tracingEnabled: false })` as the async context, where a
 * plain object would do. Two measurements:
 * - (first, while the process is as fresh as an application's) the bare graph as installed against
 *   the bare graph with `runWithConfig` replaced by the fixed version below (identical but for the
 *   RunTree), blocks alternating: what the fix saves per task;
 * - the constructor alone against the plain object, times RunTrees per task (with the parts of the
 *   constructor that are environment reads — timed again with `process.env` replaced by a plain
 *   copy — and its UUID v7, langsmith's `uuid7()`).
 *
 *   node --import tsx bench/upstream/run-tree.ts
 */
import type { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { CallbackManager } from "@langchain/core/callbacks/manager";
import type { RunnableConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { RunTree, uuid7 } from "langsmith";
import { callsPerTask, perTaskWithPatch } from "./graph.js";
import { cpuPerOp, keep, progress, report } from "./harness.js";

const LC_CHILD_KEY = Symbol.for("lc:child_config");
const CONTEXT_VARIABLES_KEY = Symbol.for("lc:context_variables");
type Store = Record<PropertyKey, unknown>;
interface Provider {
  getInstance(): AsyncLocalStorage<Store | undefined>;
  runWithConfig(config: RunnableConfig | undefined, callback: () => unknown, avoidCreatingRootRunTree?: boolean): unknown;
}
const provider = AsyncLocalStorageProviderSingleton as unknown as Provider;
const stockRunWithConfig = provider.runWithConfig;

/** Core's `runWithConfig` with the fix: the same, but a RunTree only when a LangChain tracer is active. */
function runWithConfigFixed(this: Provider, config: RunnableConfig | undefined, callback: () => unknown, avoidCreatingRootRunTree?: boolean): unknown {
  const callbackManager = CallbackManager.configure(config?.callbacks, undefined, config?.tags, undefined, config?.metadata);
  const tracer = callbackManager?.handlers?.find((handler) => handler?.name === "langchain_tracer");
  if (tracer && callbackManager?.getParentRunId()) return stockRunWithConfig.call(this, config, callback, avoidCreatingRootRunTree);
  const storage = this.getInstance();
  const previous = storage.getStore();
  let store: Store | undefined = avoidCreatingRootRunTree ? undefined : { extra: { [LC_CHILD_KEY]: config } };
  if (previous?.[CONTEXT_VARIABLES_KEY] !== undefined) {
    store ??= {};
    store[CONTEXT_VARIABLES_KEY] = previous[CONTEXT_VARIABLES_KEY];
  }
  return storage.run(store, callback);
}

const realEnv = process.env;
const copiedEnv = { ...process.env };

progress("RunTree: the bare graph with and without it");
const graph = await perTaskWithPatch({
  apply: () => (provider.runWithConfig = runWithConfigFixed),
  restore: () => (provider.runWithConfig = stockRunWithConfig),
});

progress("RunTree: measuring the constructor");
const perCall = await cpuPerOp(
  {
    runTree: (ops) => {
      for (let i = 0; i < ops; i++) keep(new RunTree({ name: "<runnable_lambda>", tracingEnabled: false }));
    },
    runTreeEnvCopied: (ops) => {
      process.env = copiedEnv;
      try {
        for (let i = 0; i < ops; i++) keep(new RunTree({ name: "<runnable_lambda>", tracingEnabled: false }));
      } finally {
        process.env = realEnv;
      }
    },
    plainObject: (ops) => {
      for (let i = 0; i < ops; i++) keep({ extra: { [LC_CHILD_KEY]: i } });
    },
    uuid7: (ops) => {
      for (let i = 0; i < ops; i++) keep(uuid7());
    },
    randomUUID: (ops) => {
      for (let i = 0; i < ops; i++) keep(randomUUID());
    },
  },
  { ops: 20_000 },
);

progress("RunTree: counting per task");
const calls = await callsPerTask({
  runTree: { file: "langsmith/lib/run_trees.mjs", name: "RunTree" },
  envReads: { file: "langsmith/lib/utils/env.mjs", name: "getEnvironmentVariable" },
});

report({
  id: "run-tree",
  cause: "LangSmith `RunTree` per runnable, tracing off",
  unit: "task",
  us: graph.stock - graph.patched,
  bare: graph.stock,
  fix: "@langchain/core dist/singletons/async_local_storage/index.js `runWithConfig`: store `{ extra: { [LC_CHILD_KEY]: config } }`; create the RunTree only when a tracer is active",
  detail: {
    "bare task as installed, µs": graph.stock,
    "bare task with the fixed runWithConfig, µs": graph.patched,
    "invoke with no Send task as installed, µs": graph.stockInvoke,
    "the same with the fixed runWithConfig, µs": graph.patchedInvoke,
    "RunTrees per task": calls.runTree,
    "new RunTree(...) alone, µs": perCall.runTree,
    "plain object instead, µs": perCall.plainObject,
    "RunTrees per task x constructor, µs": calls.runTree * (perCall.runTree - perCall.plainObject),
    "new RunTree(...) with process.env a plain copy, µs": perCall.runTreeEnvCopied,
    "langsmith env reads per task (all inside RunTree)": calls.envReads,
    "its uuid7(), µs": perCall.uuid7,
    "crypto.randomUUID(), µs": perCall.randomUUID,
  },
});
