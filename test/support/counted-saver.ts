import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseCheckpointSaver } from "@langchain/langgraph";

/** Counts the reads of `saver`: `getTuple` (one checkpoint) and `list` (several). */
export function counted<S extends BaseCheckpointSaver>(saver: S): S & { reads: () => number } {
  let reads = 0;
  const getTuple = saver.getTuple.bind(saver);
  const list = saver.list.bind(saver);
  return Object.assign(saver, {
    getTuple: (config: RunnableConfig) => {
      reads++;
      return getTuple(config);
    },
    list: (config: RunnableConfig, options?: Parameters<S["list"]>[1]) => {
      reads++;
      return list(config, options);
    },
    reads: () => reads,
  });
}
