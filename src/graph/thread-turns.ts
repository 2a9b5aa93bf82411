/**
 * Where a turn on a checkpointed thread starts, and putting the thread back when a turn fails, through
 * LangGraph's public state API only (`getState`, `updateState`, `deleteThread`).
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseCheckpointSaver, StateSnapshot } from "@langchain/langgraph";

/** The state API of a compiled graph that this module uses. */
export interface ThreadStateApi {
  getState(config: RunnableConfig): Promise<StateSnapshot>;
  updateState(config: RunnableConfig, values: unknown, asNode?: string): Promise<RunnableConfig>;
}

/** Where a new turn on a thread starts. */
export interface TurnStart {
  /** The thread's latest checkpoint. */
  head: StateSnapshot;
  /**
   * The checkpoint the turn starts from: `head` when the thread's last turn ended (it has no tasks), or
   * else (a process died during that turn, leaving tasks) the latest checkpoint before it with none;
   * `undefined` when the thread has none (it is empty, or holds only a dead first turn).
   */
  base: StateSnapshot | undefined;
}

/** Where a new turn on `thread` starts: see {@link TurnStart}. */
export async function turnStart(graph: ThreadStateApi, thread: RunnableConfig): Promise<TurnStart> {
  const head = await graph.getState(thread);
  let snapshot = head;
  // Tasks, not `next`: `next` leaves out tasks whose writes were saved, and a process that died after
  // saving a node's writes but before the checkpoint after it leaves a checkpoint whose `next` is empty.
  while (snapshot.tasks.length > 0) {
    if (snapshot.parentConfig === undefined) return { head, base: undefined };
    snapshot = await graph.getState(snapshot.parentConfig);
  }
  return { head, base: checkpointIdOf(snapshot.config) === undefined ? undefined : snapshot };
}

/** The checkpoint id in `config`, if it names one. */
export function checkpointIdOf(config: RunnableConfig | undefined): string | undefined {
  const id: unknown = config?.configurable?.checkpoint_id;
  return typeof id === "string" ? id : undefined;
}

/**
 * Whether the latest checkpoint of `thread` descends from `base` (from the thread's start when `base` is
 * `undefined`) within `maxSteps` checkpoints: written by the turn that started from `base`, and by no
 * turn since.
 */
async function headDescendsFrom(graph: ThreadStateApi, thread: RunnableConfig, base: StateSnapshot | undefined, maxSteps: number): Promise<boolean> {
  const baseId = checkpointIdOf(base?.config);
  let snapshot = await graph.getState(thread);
  const headId = checkpointIdOf(snapshot.config);
  if (headId === undefined || headId === baseId) return false;
  for (let step = 0; step < maxSteps; step++) {
    const parentId = checkpointIdOf(snapshot.parentConfig);
    if (parentId === baseId) return true;
    if (parentId === undefined || snapshot.parentConfig === undefined) return false;
    snapshot = await graph.getState(snapshot.parentConfig);
  }
  return false;
}

/**
 * Puts `thread` back to `base` after a turn that started from it failed: a copy of `base` becomes the
 * latest checkpoint (LangGraph's `updateState` with no values: the same channels, nothing pending), or
 * the thread is deleted when it had no ended turn. Only while the thread's latest checkpoint is still one
 * the failed turn wrote (at most `maxSteps` after `base`): otherwise it is left as it is.
 */
export async function restoreThread(
  graph: ThreadStateApi,
  checkpointer: BaseCheckpointSaver,
  thread: RunnableConfig,
  base: StateSnapshot | undefined,
  maxSteps: number,
): Promise<void> {
  if (!(await headDescendsFrom(graph, thread, base, maxSteps))) return;
  if (base !== undefined) await graph.updateState(base.config, undefined);
  else await checkpointer.deleteThread(String(thread.configurable?.thread_id));
}
