/**
 * Isolates LangGraph's cost per task, the yardstick of the other reproductions: a `StateGraph` whose
 * `fan` node sends 8 parallel `Send` tasks of a no-op function, against the same graph sending none;
 * CPU per task = the difference / 8. Also the fixed cost of one invocation: a graph with a single
 * no-op node against calling the function.
 *
 *   node --import tsx bench/upstream/bare-graph.ts
 */
import { setMaxListeners } from "node:events";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { SENDS, bareGraph, invokeTimes } from "./graph.js";
import { median } from "../../tools/quantile.js";
import { cpuSamples, keep, progress, report } from "./harness.js";

setMaxListeners(0);
const withTasks = bareGraph(SENDS);
const without = bareGraph(0);
const State = Annotation.Root({ n: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }) });
const noop = (_state: typeof State.State) => ({ n: 1 });
const oneNode = new StateGraph(State).addNode("only", noop).addEdge(START, "only").addEdge("only", END).compile();

progress("bare graph: warming up");
await invokeTimes(withTasks, 300);
await invokeTimes(without, 300);
await invokeTimes(oneNode, 300);
progress("bare graph: measuring");
const samples = await cpuSamples(
  {
    withTasks: (ops) => invokeTimes(withTasks, ops),
    without: (ops) => invokeTimes(without, ops),
    oneNode: (ops) => invokeTimes(oneNode, ops),
    call: (ops) => {
      for (let i = 0; i < ops * 1000; i++) keep(noop({ n: 0 }));
    },
  },
  { ops: 40, blocks: 11, warmup: 2 },
);
// Blocks of the two graphs alternate, so the per-block difference cancels slow drifts of the machine.
const perTask = median(samples.withTasks.map((value, i) => (value - samples.without[i]!) / SENDS));

report({
  id: "bare-graph",
  cause: "bare LangGraph task (the yardstick)",
  unit: "task",
  us: perTask,
  fix: "(the total the rows below are compared with)",
  detail: {
    [`invoke with ${SENDS} Send tasks, µs`]: median(samples.withTasks),
    "invoke with no Send task, µs": median(samples.without),
    "invoke of a 1-node graph, µs": median(samples.oneNode),
    "calling the node function directly, µs": median(samples.call) / 1000,
  },
});
