/**
 * One turn at a time per thread: which threads of a checkpointer are answering a turn, in this process and,
 * for checkpointers whose database other processes share, in those processes too.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { MoAThreadBusyError } from "../errors.js";
import { PostgresThreadLocks, postgresPoolOf } from "./postgres-thread-lock.js";
import { SqliteThreadLocks, sqliteDatabaseOf } from "./sqlite-thread-lock.js";

/** Threads with a turn in progress, per checkpointer, in this process. */
const busyThreads = new WeakMap<BaseCheckpointSaver, Set<string>>();
/** Locks on threads that the other processes sharing a checkpointer's database see. */
interface SharedThreadLocks {
  tryLock(threadId: string): Promise<boolean>;
  unlock(threadId: string): Promise<void>;
}

/** The cross-process locks of each checkpointer that has them (PostgreSQL, SQLite), `null` for the others. */
const sharedLocks = new WeakMap<BaseCheckpointSaver, SharedThreadLocks | null>();

function sharedLocksOf(checkpointer: BaseCheckpointSaver): SharedThreadLocks | undefined {
  if (!sharedLocks.has(checkpointer)) {
    const pool = postgresPoolOf(checkpointer);
    const db = pool === undefined ? sqliteDatabaseOf(checkpointer) : undefined;
    sharedLocks.set(checkpointer, pool !== undefined ? new PostgresThreadLocks(pool) : db !== undefined ? new SqliteThreadLocks(db) : null);
  }
  return sharedLocks.get(checkpointer) ?? undefined;
}

/**
 * Marks `threadId` of `checkpointer` as answering a turn, until the returned function is called: in this
 * process, and in every process sharing its database for a `PostgresSaver` (an advisory lock in a
 * transaction kept open for the turn, which ends, releasing it, when the holding process dies) or a
 * `SqliteSaver` (a row naming the holding process, which stops counting when that process is gone).
 * @throws MoAThreadBusyError when a turn is already answering on that thread.
 * @throws MoAConfigError when the `PostgresSaver` connects through a pooler in statement mode, which runs no transactions.
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
    // An unlock that fails has lost its PostgreSQL connection, which released the lock; a SQLite row
    // left behind names this process, which takes it over, and stops counting once the process is gone.
    await shared?.unlock(threadId).catch(() => undefined);
    threads.delete(threadId);
  };
}
