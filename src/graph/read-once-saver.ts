import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseCheckpointSaver, CheckpointTuple } from "@langchain/langgraph";

/**
 * The `configurable` key through which a run (and `getState`) is lent a checkpointer other than the graph's
 * own: LangGraph's `CONFIG_KEY_CHECKPOINTER`, which a parent graph uses to lend its saver to a subgraph and
 * which `Pregel._resolveCheckpointer` reads for every run and state call.
 */
export const LENT_CHECKPOINTER_KEY = "__pregel_checkpointer";

/** Methods after which the thread's latest checkpoint, or its pending writes, may have changed. */
const WRITES = new Set<PropertyKey>(["put", "putWrites", "deleteThread"]);

/**
 * `saver` as a turn on `threadId` uses it: the first read of the thread's latest checkpoint is kept, and
 * every later read of that checkpoint (the latest, or named by its id) gets it again, until the turn writes
 * anything. A turn reads its thread once: the turn guard's look at where the thread stands (`getState`),
 * LangGraph's load of the checkpoint the turn starts from, and its check that no newer checkpoint exists,
 * are one read of the saver. Everything else goes to `saver` as it is.
 */
export function readOnce(saver: BaseCheckpointSaver, threadId: string): BaseCheckpointSaver {
  // The latest checkpoint as read (`undefined` for an empty thread), once it has been read.
  let kept: { tuple: CheckpointTuple | undefined } | undefined;
  const getTuple = async (config: RunnableConfig): Promise<CheckpointTuple | undefined> => {
    const asked = config.configurable ?? {};
    const own = asked.thread_id === threadId && (asked.checkpoint_ns ?? "") === "";
    const id: unknown = asked.checkpoint_id;
    if (own && kept !== undefined && (id === undefined || id === kept.tuple?.checkpoint.id)) return kept.tuple;
    const tuple = await saver.getTuple(config);
    if (own && id === undefined) kept = { tuple };
    return tuple;
  };
  return new Proxy(saver, {
    get(target, property) {
      if (property === "getTuple") return getTuple;
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      if (!WRITES.has(property)) return value.bind(target);
      return (...args: unknown[]) => {
        kept = undefined;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
