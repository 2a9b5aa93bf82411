/**
 * What a turn on a checkpointed thread needs from the thread, through LangGraph's public state API only
 * (`getState`, `updateState`, `deleteThread`): one turn at a time, the checkpoint a turn starts from, and
 * putting the thread back when a turn fails.
 */
import type { RunnableConfig } from "@langchain/core/runnables";
import type { BaseCheckpointSaver, StateSnapshot } from "@langchain/langgraph";
import { MoAThreadBusyError } from "../errors.js";
import { PostgresThreadLocks, postgresPoolOf } from "./postgres-thread-lock.js";

/** The state API of a compiled graph that this module uses. */
export interface ThreadStateApi {
  getState(config: RunnableConfig): Promise<StateSnapshot>;
  updateState(config: RunnableConfig, values: unknown, asNode?: string): Promise<RunnableConfig>;
}

/** Threads with a turn in progress, per checkpointer, in this process. */
const busyThreads = new WeakMap<BaseCheckpointSaver, Set<string>>();
/** The cross-process locks of each checkpointer that has them (PostgreSQL), `null` for the others. */
const sharedLocks = new WeakMap<BaseCheckpointSaver, PostgresThreadLocks | null>();

function sharedLocksOf(checkpointer: BaseCheckpointSaver): PostgresThreadLocks | undefined {
  if (!sharedLocks.has(checkpointer)) {
    const pool = postgresPoolOf(checkpointer);
    sharedLocks.set(checkpointer, pool === undefined ? null : new PostgresThreadLocks(pool));
  }
  return sharedLocks.get(checkpointer) ?? undefined;
}

/**
 * Marks `threadId` of `checkpointer` as answering a turn, until the returned function is called: in this
 * process, and for a `PostgresSaver` in every process sharing its database (an advisory lock, which
 * PostgreSQL releases by itself when the holding process dies).
 * @throws MoAThreadBusyError when a turn is already answering on that thread.
 */
export async function claimThread(checkpointer: BaseCheckpointSaver, threadId: string): Promise<() => Promise<void>> {
  let threads = busyThreads.get(checkpointer);
  if (threads === undefined) busyThreads.set(checkpointer, (threads = new Set()));
  if (threads.has(threadId)) throw new MoAThreadBusyError(threadId);
  threads.add(threadId);
  const shared = sharedLocksOf(checkpointer);
  const locked = shared === undefined || (await shared.tryLock(threadId).catch((error: unknown) => {
    threads.delete(threadId);
    throw error;
  }));
  if (!locked) {
    threads.delete(threadId);
    throw new MoAThreadBusyError(threadId);
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // An unlock that fails has lost its connection, and PostgreSQL released the lock with it.
    await shared?.unlock(threadId).catch(() => undefined);
    threads.delete(threadId);
  };
}

/** Where a new turn on a thread starts. */
export interface TurnStart {
  /** The thread's latest checkpoint. */
  head: StateSnapshot;
  /**
   * The checkpoint the turn starts from: `head` when the thread's last turn ended, or else (a process died
   * during that turn, leaving nodes pending) the latest checkpoint before it whose turn ended; `undefined`
   * when the thread has none (it is empty, or holds only a dead first turn).
   */
  base: StateSnapshot | undefined;
}

/** Where a new turn on `thread` starts: see {@link TurnStart}. */
export async function turnStart(graph: ThreadStateApi, thread: RunnableConfig): Promise<TurnStart> {
  const head = await graph.getState(thread);
  let snapshot = head;
  while (snapshot.next.length > 0) {
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
