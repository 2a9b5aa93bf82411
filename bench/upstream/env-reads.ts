/**
 * Isolates the environment reads `@langchain/core` makes per runnable: `getEnvironmentVariable`
 * (`typeof process`, then `process.env[name]`, a lookup in the real environment every time) for the
 * variables `CallbackManager._configureSync` checks on every call (`LANGCHAIN_VERBOSE`,
 * `LANGCHAIN_TRACING` and the four tracing switches of `isTracingEnabled`), all unset, timed against
 * a lookup in a `Map` read once. Counts core's reads per task in the bare graph (langsmith's, all
 * inside `RunTree`, are in that row).
 *
 *   node --import tsx bench/upstream/env-reads.ts
 */
import { getEnvironmentVariable } from "@langchain/core/utils/env";
import { callsPerTask } from "./graph.js";
import { cpuPerOp, keep, progress, report } from "./harness.js";

const NAMES = ["LANGCHAIN_VERBOSE", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2", "LANGSMITH_TRACING", "LANGCHAIN_TRACING"];
const cached = new Map(NAMES.map((name) => [name, process.env[name]]));

progress("env reads: measuring");
const perCall = await cpuPerOp(
  {
    getEnvironmentVariable: (ops) => {
      for (let i = 0; i < ops; i++) keep(getEnvironmentVariable(NAMES[i % NAMES.length]!));
    },
    cached: (ops) => {
      for (let i = 0; i < ops; i++) keep(cached.get(NAMES[i % NAMES.length]!));
    },
  },
  { ops: 100_000 },
);

progress("env reads: counting per task");
const calls = await callsPerTask({
  core: { file: "@langchain/core/dist/utils/env.js", name: "getEnvironmentVariable" },
  configure: { file: "@langchain/core/dist/callbacks/manager.js", name: "_configureSync" },
  tracingEnabled: { file: "@langchain/core/dist/utils/callbacks.js", name: "isTracingEnabled" },
});

report({
  id: "env-reads",
  cause: "environment reads in `@langchain/core`",
  unit: "task",
  us: calls.core * (perCall.getEnvironmentVariable - perCall.cached),
  fix: "@langchain/core dist/callbacks/manager.js `_configureSync` (+ dist/utils/callbacks.js `isTracingEnabled`): read the verbose/tracing switches once, not on every runnable",
  detail: {
    "core env reads per task": calls.core,
    "CallbackManager._configureSync calls per task": calls.configure,
    "isTracingEnabled calls per task (4 reads each)": calls.tracingEnabled,
    "getEnvironmentVariable(), µs": perCall.getEnvironmentVariable,
    "cached lookup, µs": perCall.cached,
    "variables in the environment": Object.keys(process.env).length,
  },
});
