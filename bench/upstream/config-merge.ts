/**
 * Isolates config merging: each task's config is copied and normalised again by every runnable it
 * passes through — LangGraph's `ensureLangGraphConfig` and core's `mergeConfigs` in
 * `RunnableCallable.invoke`, core's `patchConfig` (which calls `ensureConfig`) when the task is
 * prepared and in `_tracedInvoke`, and `ensureConfig` in `_callWithConfig`. Times each on the config
 * a task of the bare graph receives, inside a LangChain async context carrying that config (as in the
 * graph, so that the implicit-config lookups find one), and weighs them by their calls per task.
 * The comparison is normalising once per task (one `ensureLangGraphConfig`).
 *
 *   node --import tsx bench/upstream/config-merge.ts
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import { ensureConfig, mergeConfigs, patchConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { callsPerTask, taskConfig } from "./graph.js";
import { cpuPerOp, keep, progress, report } from "./harness.js";

// Not exported by the package; loaded by path, which is the same module instance the graph uses.
const configModule = new URL("./pregel/utils/config.js", import.meta.resolve("@langchain/langgraph")).href;
const { ensureLangGraphConfig } = (await import(configModule)) as { ensureLangGraphConfig: (...configs: RunnableConfig[]) => RunnableConfig };

const config = await taskConfig();
const inContext = (block: (ops: number) => void) => (ops: number) => AsyncLocalStorageProviderSingleton.runWithConfig(config, () => block(ops));

progress("config merging: measuring");
const perCall = await cpuPerOp(
  {
    ensureLangGraphConfig: inContext((ops) => {
      for (let i = 0; i < ops; i++) keep(ensureLangGraphConfig(config));
    }),
    mergeConfigs: inContext((ops) => {
      for (let i = 0; i < ops; i++) keep(mergeConfigs(undefined, config));
    }),
    patchConfig: inContext((ops) => {
      for (let i = 0; i < ops; i++) keep(patchConfig(config, { runName: "task" }));
    }),
    ensureConfig: inContext((ops) => {
      for (let i = 0; i < ops; i++) keep(ensureConfig(config));
    }),
  },
  { ops: 20_000 },
);

progress("config merging: counting per task");
const file = "@langchain/core/dist/runnables/config.js";
const calls = await callsPerTask({
  ensureLangGraphConfig: { file: "@langchain/langgraph/dist/pregel/utils/config.js", name: "ensureLangGraphConfig" },
  mergeConfigs: { file, name: "mergeConfigs" },
  patchConfig: { file, name: "patchConfig" },
  ensureConfig: { file, name: "ensureConfig" },
});
// patchConfig calls ensureConfig, so the ensureConfig calls of its own are the rest.
const ownEnsureConfig = calls.ensureConfig - calls.patchConfig;
const total =
  calls.ensureLangGraphConfig * perCall.ensureLangGraphConfig +
  calls.mergeConfigs * perCall.mergeConfigs +
  calls.patchConfig * perCall.patchConfig +
  ownEnsureConfig * perCall.ensureConfig;

report({
  id: "config-merge",
  cause: "config merging (`ensureLangGraphConfig`, `mergeConfigs`, `patchConfig`/`ensureConfig`)",
  unit: "task",
  us: total - perCall.ensureLangGraphConfig,
  fix: "@langchain/langgraph dist/utils.js `RunnableCallable.invoke` + @langchain/core dist/runnables/config.js: normalise a task's config once and pass it through (mark it normalised; skip `mergeConfigs(undefined, c)`)",
  detail: {
    "ensureLangGraphConfig per task": calls.ensureLangGraphConfig,
    "mergeConfigs per task": calls.mergeConfigs,
    "patchConfig per task": calls.patchConfig,
    "ensureConfig per task (outside patchConfig)": ownEnsureConfig,
    "ensureLangGraphConfig(), µs": perCall.ensureLangGraphConfig,
    "mergeConfigs(), µs": perCall.mergeConfigs,
    "patchConfig(), µs": perCall.patchConfig,
    "ensureConfig(), µs": perCall.ensureConfig,
    "all of them per task, µs": total,
  },
});
