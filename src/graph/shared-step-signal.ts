import { setMaxListeners } from "node:events";
import type { RunnableConfig } from "@langchain/core/runnables";

/**
 * `node`, made fit for many tasks in one step (a layer's proposer calls). LangGraph hands every task of a
 * step the same new abort signal, and LangChain adds one listener per task to it (`RunnableSequence`
 * races each task against it), which past Node's default of 10 prints a `MaxListenersExceededWarning`.
 * This lifts that signal's limit first thing in the task: LangGraph calls a function node synchronously,
 * before LangChain adds that task's listener, so the step's first task lifts it while it has none.
 */
export function sharingStepSignal<State, Config extends RunnableConfig, Result>(node: (state: State, config: Config) => Result): (state: State, config: Config) => Result {
  return (state, config) => {
    if (config.signal !== undefined) setMaxListeners(0, config.signal);
    return node(state, config);
  };
}
