/**
 * Isolates the UUIDs a task makes outside its RunTrees: its task id, a UUID v5 of the task's path
 * (`uuid5` of `@langchain/langgraph-checkpoint`, on the copy of the `uuid` package vendored in
 * `@langchain/core`, which hashes with a SHA-1 written in JavaScript), timed against the same v5 over
 * `node:crypto`'s SHA-1. Also times the random UUIDs (core's `v7()` for run ids, `v4()`) against
 * `crypto.randomUUID()`: the vendored copy reads 16 random bytes per id through
 * `crypto.getRandomValues`, where `crypto.randomUUID()` draws from a batch of random bytes. Counts
 * both kinds per task in the bare graph.
 *
 *   node --import tsx bench/upstream/uuid.ts
 */
import { createHash, randomUUID } from "node:crypto";
import { v4, v7 } from "@langchain/core/utils/uuid";
import { uuid5 } from "@langchain/langgraph-checkpoint";
import { callsPerTask } from "./graph.js";
import { cpuPerOp, keep, progress, report } from "./harness.js";

const checkpointId = "1f0c1a2b-3c4d-6e5f-8a9b-0c1d2e3f4a5b";
// The name a PUSH task's id is derived from (pregel/algo.js `_prepareNextTasks`).
const taskName = (i: number) => JSON.stringify(["", "2", "__pregel_push", "__pregel_push", 0, i, false]);

const namespaceBytes = Buffer.from(checkpointId.replace(/-/g, ""), "hex");
/** UUID v5 with node:crypto's SHA-1 (what the Node build of `uuid` does). */
function nativeUuid5(name: string): string {
  const bytes = createHash("sha1").update(namespaceBytes).update(name).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex", 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
if (nativeUuid5(taskName(1)) !== uuid5(taskName(1), checkpointId)) throw new Error("the two v5 implementations disagree");

progress("UUIDs: measuring");
const perCall = await cpuPerOp(
  {
    uuid5: (ops) => {
      for (let i = 0; i < ops; i++) keep(uuid5(taskName(i), checkpointId));
    },
    nativeUuid5: (ops) => {
      for (let i = 0; i < ops; i++) keep(nativeUuid5(taskName(i)));
    },
    v7: (ops) => {
      for (let i = 0; i < ops; i++) keep(v7());
    },
    v4: (ops) => {
      for (let i = 0; i < ops; i++) keep(v4());
    },
    randomUUID: (ops) => {
      for (let i = 0; i < ops; i++) keep(randomUUID());
    },
  },
  { ops: 20_000 },
);

progress("UUIDs: counting per task");
const calls = await callsPerTask({
  uuid5: { file: "@langchain/langgraph-checkpoint/dist/id.js", name: "uuid5" },
  v7: { file: "@langchain/core/dist/utils/uuid/v7.js", name: "v7" },
  v4: { file: "@langchain/core/dist/utils/uuid/v4.js", name: "v4" },
  langsmithV7: { file: "langsmith/lib/utils/uuid/src/v7.mjs", name: "v7" },
});

report({
  id: "uuid",
  cause: "UUIDs outside RunTrees (task id: v5 with a JavaScript SHA-1)",
  unit: "task",
  us: calls.uuid5 * (perCall.uuid5 - perCall.nativeUuid5) + calls.v7 * (perCall.v7 - perCall.randomUUID) + calls.v4 * (perCall.v4 - perCall.randomUUID),
  fix: "@langchain/core dist/utils/uuid/sha1.js: on Node hash with node:crypto `createHash('sha1')` (as `uuid`'s Node build does); rng.js (and langsmith's copy): pool the random bytes",
  detail: {
    "uuid5 (task ids) per task": calls.uuid5,
    "core v7 (run ids) per task": calls.v7,
    "core v4 per task": calls.v4,
    "langsmith v7 per task (in the RunTree row)": calls.langsmithV7,
    "uuid5(), µs": perCall.uuid5,
    "v5 over node:crypto SHA-1, µs": perCall.nativeUuid5,
    "core v7(), µs": perCall.v7,
    "core v4(), µs": perCall.v4,
    "crypto.randomUUID(), µs": perCall.randomUUID,
  },
});
