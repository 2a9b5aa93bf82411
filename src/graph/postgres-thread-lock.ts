/**
 * The cross-process half of "one turn at a time per thread" for threads in PostgreSQL: a transaction-level
 * advisory lock per thread (`pg_try_advisory_xact_lock`), taken in a transaction that stays open, on a
 * connection of its own, for as long as the turn holds the lock. Every process sharing the database sees it.
 *
 * Holding it in an open transaction is what makes it work behind a pooler in transaction mode (PgBouncer,
 * the pooled connection strings of hosted databases), which may run each transaction of a client on another
 * server connection but keeps one server connection for the client while its transaction is open. The lock
 * lives exactly as long as that transaction: ending it (ROLLBACK) releases it, and so does every way a
 * transaction can die with its connection (the process dies, the pooler or the server restarts or drops the
 * connection), so no lock outlives its turn. A pooler in statement mode runs no transactions at all: there a
 * turn is refused with a {@link MoAConfigError} naming the connection to use.
 *
 * The cost is one database connection (through a pooler: one of its server connections) per turn running
 * at once, opened when the turn starts and closed when it ends, apart from the checkpointer's pool so that a
 * turn's lock never waits for, or takes, one of its connections. The connection settings are read from
 * `PostgresSaver`'s pg pool, a private field of `@langchain/langgraph-checkpoint-postgres`: this module is
 * the only place that reads it, and a test fails when a new version stops having it.
 */
import { MoAConfigError } from "../errors.js";

/** What this module needs of a `pg.Client`. */
interface PgClient {
  readonly host?: string;
  readonly port?: number;
  connect(): Promise<unknown>;
  query(text: string): Promise<{ rows: Array<Record<string, unknown>> }>;
  escapeLiteral(value: string): string;
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

/**
 * The statement that takes the lock of a thread (given as an SQL literal) in the open transaction; its key is a
 * 64-bit hash of a name no other application uses. The transaction then waits, idle, for the turn to end: a
 * server's `idle_in_transaction_session_timeout` would end it (and the lock with it) mid-turn, so it is turned
 * off for this transaction only. The statement is sent whole (the simple protocol): a parameterised one leaves
 * its portal open, and with it a snapshot that holds back VACUUM for the whole turn.
 */
const tryLockStatement = (threadLiteral: string) =>
  `SELECT set_config('idle_in_transaction_session_timeout', '0', true), pg_try_advisory_xact_lock(hashtextextended('langgraph-moa thread ' || ${threadLiteral}, 0)) AS locked`;

/** PgBouncer's answer to a transaction in statement mode, after which it closes the connection. */
const STATEMENT_POOLING = /statement pooling mode/i;

/** The error for a pooler that runs no transactions, naming where the connection goes (never its password). */
function statementPoolerError(client: PgClient, cause: Error): MoAConfigError {
  const where = client.host !== undefined && client.port !== undefined ? ` (${client.host}:${client.port})` : "";
  return new MoAConfigError(
    "checkpointer",
    `its PostgreSQL connection${where} goes through a pooler in statement mode ("${cause.message}"), which runs no ` +
      "transactions, while a turn holds its thread's lock in a transaction (and PostgresSaver writes checkpoints in " +
      "transactions). Connect the PostgresSaver directly to PostgreSQL, or through a pooler in session or transaction " +
      "mode (PgBouncer's pool_mode = session or transaction; a hosted database's direct, session-mode or transaction-mode connection string).",
    { cause },
  );
}

/** Ends `client`'s transaction, which releases any lock it holds, and closes it. Never rejects. */
async function close(client: PgClient): Promise<void> {
  // A ROLLBACK that fails has lost its connection, and the transaction (with its lock) went with it.
  await client.query("ROLLBACK").catch(() => undefined);
  await client.end().catch(() => undefined);
}

/** Advisory locks on the threads of one PostgreSQL database, taken by this process. */
export class PostgresThreadLocks {
  /** The connection whose open transaction holds each locked thread's lock. */
  private readonly held = new Map<string, PgClient>();

  /** @param pool the pg pool of a `PostgresSaver` ({@link postgresPoolOf}), whose settings the lock connections use. */
  constructor(private readonly pool: PgPool) {}

  /**
   * Takes the lock of `threadId` if no session holds it; resolves `false` when another one does. A thread
   * this instance holds already counts as held by another session.
   * @throws MoAConfigError when the connection goes through a pooler in statement mode.
   * @throws the pg error when the database cannot be reached.
   */
  async tryLock(threadId: string): Promise<boolean> {
    if (this.held.has(threadId)) return false;
    const client = new this.pool.Client(this.pool.options);
    // A dropped connection has ended its transaction, so released its lock: nothing to do but not crash.
    client.on("error", () => undefined);
    let locked = false;
    try {
      await client.connect();
      await client.query("BEGIN ISOLATION LEVEL READ COMMITTED");
      const { rows } = await client.query(tryLockStatement(client.escapeLiteral(threadId)));
      locked = rows[0]?.locked === true;
    } catch (error) {
      await close(client);
      throw error instanceof Error && STATEMENT_POOLING.test(error.message) ? statementPoolerError(client, error) : error;
    }
    if (!locked) {
      await close(client);
      return false;
    }
    this.held.set(threadId, client);
    return true;
  }

  /** Releases the lock of `threadId`, taken by {@link tryLock}: ends its transaction and closes its connection. Never rejects. */
  async unlock(threadId: string): Promise<void> {
    const client = this.held.get(threadId);
    if (client === undefined) return;
    this.held.delete(threadId);
    await close(client);
  }
}
