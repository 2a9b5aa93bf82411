/**
 * Isolates the callback-manager configuration `@langchain/core` does per runnable even when there
 * are no callbacks and tracing is off: `CallbackManager.configure(config.callbacks, undefined,
 * config.tags, undefined, config.metadata)` as `runWithConfig` and `getCallbackManagerForConfig` call
 * it, on the config a task of the bare graph receives (no handlers), inside a LangChain async
 * context as in the graph. Its environment reads are left out (`process.env` is replaced by a plain
 * copy while timing; they are the env-reads row). The fix is to skip the call, so nothing is the
 * comparison. Counts calls per task in the bare graph.
 *
 *   node --import tsx bench/upstream/callback-manager.ts
 */
import { CallbackManager } from "@langchain/core/callbacks/manager";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { callsPerTask, taskConfig } from "./graph.js";
import { cpuPerOp, keep, progress, report } from "./harness.js";

const config = await taskConfig();
const realEnv = process.env;
const copiedEnv = { ...process.env };
const configure = (ops: number) => {
  for (let i = 0; i < ops; i++) keep(CallbackManager.configure(config.callbacks, undefined, config.tags, undefined, config.metadata));
};
/** Runs `block` inside the async context a runnable of the graph runs in. */
const inContext = (block: (ops: number) => void) => (ops: number) => AsyncLocalStorageProviderSingleton.runWithConfig(config, () => block(ops));

progress("CallbackManager.configure: measuring");
const perCall = await cpuPerOp(
  {
    configureWithoutEnv: inContext((ops) => {
      process.env = copiedEnv;
      try {
        configure(ops);
      } finally {
        process.env = realEnv;
      }
    }),
    configure: inContext(configure),
  },
  { ops: 20_000 },
);

progress("CallbackManager.configure: counting per task");
const calls = await callsPerTask({
  configure: { file: "@langchain/core/dist/callbacks/manager.js", name: "_configureSync" },
  handleChainStart: { file: "@langchain/core/dist/callbacks/manager.js", name: "handleChainStart" },
});

report({
  id: "callback-manager",
  cause: "`CallbackManager.configure` with no handlers",
  unit: "task",
  us: calls.configure * perCall.configureWithoutEnv,
  fix: "@langchain/core dist/singletons/async_local_storage/index.js `runWithConfig` and dist/callbacks/manager.js `_configureSync`: return early when there are no handlers and tracing/verbose are off",
  detail: {
    "configure calls per task": calls.configure,
    "handleChainStart calls per task (handlers run)": calls.handleChainStart,
    "configure() without its env reads, µs": perCall.configureWithoutEnv,
    "configure() with them, µs": perCall.configure,
  },
});
