/**
 * The cross-process half of "one turn at a time per thread" for threads in a SQLite file, which the
 * processes of one machine can share: a row per busy thread in a table of the same file, naming the
 * process that holds it. A row whose process is gone (it died mid-turn) no longer counts, so a crash
 * never leaves a thread busy. Rows are read and written in `BEGIN IMMEDIATE` transactions, which SQLite
 * runs one at a time across processes. Reads `SqliteSaver`'s public `db` (a better-sqlite3 database).
 */
import { hostname } from "node:os";
import { isProcessRunning } from "../models/process-alive.js";

/** What this module needs of a better-sqlite3 statement and database. */
interface SqliteStatement {
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): unknown;
}
interface SqliteDatabase {
  open: boolean;
  exec(sql: string): unknown;
  prepare(sql: string): SqliteStatement;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
}

function isSqliteDatabase(value: unknown): value is SqliteDatabase {
  const db = value as Partial<SqliteDatabase> | undefined;
  return typeof db === "object" && db !== null && typeof db.prepare === "function" && typeof db.transaction === "function" && typeof db.exec === "function";
}

/** The better-sqlite3 database of `checkpointer` when it is a `SqliteSaver`, else `undefined`. */
export function sqliteDatabaseOf(checkpointer: object): SqliteDatabase | undefined {
  const db: unknown = (checkpointer as { db?: unknown }).db;
  return isSqliteDatabase(db) ? db : undefined;
}

const TABLE = "langgraph_moa_thread_locks";

/** Thread locks in one SQLite file, taken by this process. */
export class SqliteThreadLocks {
  private statements: { read: SqliteStatement; write: SqliteStatement; remove: SqliteStatement } | undefined;
  private readonly host = hostname();

  constructor(private readonly db: SqliteDatabase) {}

  private prepared() {
    if (this.statements === undefined) {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (thread_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, locked_at INTEGER NOT NULL)`);
      this.statements = {
        read: this.db.prepare(`SELECT pid, host FROM ${TABLE} WHERE thread_id = ?`),
        write: this.db.prepare(`INSERT OR REPLACE INTO ${TABLE} (thread_id, pid, host, locked_at) VALUES (?, ?, ?, ?)`),
        remove: this.db.prepare(`DELETE FROM ${TABLE} WHERE thread_id = ? AND pid = ? AND host = ?`),
      };
    }
    return this.statements;
  }

  /**
   * Takes the lock of `threadId` unless a running process holds it; resolves `false` when one does. A
   * holder on another host counts as running: its liveness cannot be checked from here.
   */
  async tryLock(threadId: string): Promise<boolean> {
    const { read, write } = this.prepared();
    const claim = this.db.transaction((thread: string) => {
      const holder = read.get(thread) as { pid: number; host: string } | undefined;
      const held = holder !== undefined && holder.pid !== process.pid && (holder.host !== this.host || isProcessRunning(holder.pid));
      if (!held) write.run(thread, process.pid, this.host, Date.now());
      return !held;
    });
    return claim.immediate(threadId);
  }

  /** Releases the lock of `threadId`, taken by {@link tryLock}. */
  async unlock(threadId: string): Promise<void> {
    if (this.db.open) this.prepared().remove.run(threadId, process.pid, this.host);
  }
}
