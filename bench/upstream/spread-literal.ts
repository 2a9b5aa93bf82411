/**
 * An object literal that starts with a spread and then adds keys the spread object lacks
 * (`{ ...metadata, moa_role, moa_layer }`), against `Object.assign` of the same keys and against the
 * spread alone. On Node 20 (V8 11.3) each added key is stored in the runtime; Node 22 and 24 add it inline.
 * LangChain.js and LangGraph.js write such literals on a task's path too; this package avoids them on a
 * turn's path. The cost per literal, not per task (how many a task runs upstream is not counted here).
 *
 *   node --import tsx bench/upstream/spread-literal.ts
 */
import { cpuPerOp, keep, progress } from "./harness.js";

const metadata: Record<string, unknown> = { langgraph_step: 1, langgraph_node: "propose", langgraph_triggers: ["branch:to:propose"], checkpoint_ns: "propose:1" };

progress("spread literals: measuring");
const perLiteral = await cpuPerOp(
  {
    spreadOnly: (ops) => {
      for (let i = 0; i < ops; i++) keep({ ...metadata });
    },
    spreadThenFourKeys: (ops) => {
      for (let i = 0; i < ops; i++) keep({ ...metadata, moa_role: "proposer", moa_layer: i, moa_proposer: "p1", moa_model: "m" });
    },
    assignFourKeys: (ops) => {
      for (let i = 0; i < ops; i++) keep(Object.assign({}, metadata, { moa_role: "proposer", moa_layer: i, moa_proposer: "p1", moa_model: "m" }));
    },
    keyFirstThenSpread: (ops) => {
      for (let i = 0; i < ops; i++) keep({ moa_role: "proposer", ...metadata, moa_layer: i, moa_proposer: "p1", moa_model: "m" });
    },
  },
  { ops: 50_000 },
);
console.log(`Node ${process.version}, µs per literal:`);
for (const [name, us] of Object.entries(perLiteral)) console.log(`  ${name}: ${us.toPrecision(3)}`);
