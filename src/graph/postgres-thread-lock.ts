/**
 * The cross-process half of "one turn at a time per thread" for threads in PostgreSQL: a session-level
 * advisory lock per thread (`pg_try_advisory_lock`), which every process sharing the database sees, and
 * which PostgreSQL releases by itself when the process holding it dies (its connection closes).
 *
 * The locks are held on one connection of their own per checkpointer, opened while any turn holds a lock
 * and closed when none does, so that a turn's lock never waits for, or takes, a connection of the
 * checkpointer's pool. The connection settings are read from `PostgresSaver`'s pg pool, a private field
 * of `@langchain/langgraph-checkpoint-postgres`: this module is the only place that reads it, and a test
 * fails when a new version stops having it.
 */

/** What this module needs of a `pg.Client`. */
interface PgClient {
  connect(): Promise<unknown>;
  query(text: string, values?: unknown[]): Promise<{ rows: Array<Record<string, unknown>> }>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** What this module needs of a `pg.Pool`: its connection settings and its client class. */
interface PgPool {
  options: object;
  Client: new (config: object) => PgClient;
}

function isPgPool(value: unknown): value is PgPool {
  const pool = value as Partial<PgPool> | undefined;
  return typeof pool === "object" && pool !== null && typeof pool.options === "object" && typeof pool.Client === "function";
}

/** The pg pool of `checkpointer` when it is a `PostgresSaver`, else `undefined`. */
export function postgresPoolOf(checkpointer: object): PgPool | undefined {
  const pool: unknown = (checkpointer as { pool?: unknown }).pool;
  return isPgPool(pool) ? pool : undefined;
}

/** The advisory lock key of a thread: a 64-bit hash of a name no other application uses. */
const LOCK_KEY = "hashtextextended('langgraph-moa thread ' || $1, 0)";

/** Advisory locks on the threads of one PostgreSQL database, taken by this process. */
export class PostgresThreadLocks {
  private client: Promise<PgClient> | undefined;
  private held = 0;
  /** Lock operations run one at a time, in order, on the one connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly pool: PgPool) {}

  private serially<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.queue.then(operation, operation);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private connection(): Promise<PgClient> {
    this.client ??= (async () => {
      const client = new this.pool.Client(this.pool.options);
      // A dropped connection has released its locks: forget it, and open a new one for the next lock.
      client.on("error", () => (this.client = undefined));
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  /** Takes the lock of `threadId` if no session holds it; resolves `false` when another one does. */
  tryLock(threadId: string): Promise<boolean> {
    return this.serially(async () => {
      const { rows } = await (await this.connection()).query(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`, [threadId]);
      const locked = rows[0]?.locked === true;
      if (locked) this.held++;
      else await this.closeWhenIdle();
      return locked;
    });
  }

  /** Releases the lock of `threadId`, taken by {@link tryLock}. */
  unlock(threadId: string): Promise<void> {
    return this.serially(async () => {
      this.held--;
      try {
        await (await this.connection()).query(`SELECT pg_advisory_unlock(${LOCK_KEY})`, [threadId]);
      } finally {
        await this.closeWhenIdle();
      }
    });
  }

  private async closeWhenIdle(): Promise<void> {
    if (this.held > 0 || this.client === undefined) return;
    const client = this.client;
    this.client = undefined;
    await (await client).end();
  }
}
