/**
 * The checkpointers of the long-conversation benchmark, each with a count of the bytes it stores for a
 * thread: `MemorySaver`, `SqliteSaver` on a temporary file, `PostgresSaver` on a throwaway server.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { MemorySaver, type BaseCheckpointSaver } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import pg from "pg";
import { startPostgres } from "../../test/support/postgres-server.js";

/** The checkpointers compared, by their results key. */
export type SaverKind = "memory" | "sqlite" | "postgres";

/** Each checkpointer's class name, for the report. */
export const SAVER_LABELS: Record<SaverKind, string> = { memory: "MemorySaver", sqlite: "SqliteSaver", postgres: "PostgresSaver" };

/** One checkpointer for one implementation, and the bytes it holds for a thread. */
export interface BenchSaver {
  readonly saver: BaseCheckpointSaver;
  /** The bytes stored for `threadId`: its checkpoints and writes (see {@link openSavers} for what is counted). */
  storedBytes(threadId: string): Promise<number>;
  close(): Promise<void>;
}

/** Makes a checkpointer of one kind per implementation (each its own store), and cleans up after them. */
export interface SaverFactory {
  create(name: string): Promise<BenchSaver>;
  close(): Promise<void>;
}

/** The byte length of a serialized value (a `Uint8Array`, or a string in UTF-8). */
const byteLength = (value: unknown): number => (value instanceof Uint8Array ? value.byteLength : typeof value === "string" ? Buffer.byteLength(value) : 0);

/** `MemorySaver`: the serialized checkpoints, metadata and writes of the thread in its `storage` and `writes` maps. */
function memorySaver(): BenchSaver {
  const saver = new MemorySaver();
  return {
    saver,
    async storedBytes(threadId) {
      let bytes = 0;
      for (const checkpoints of Object.values(saver.storage[threadId] ?? {})) {
        for (const [checkpoint, metadata] of Object.values(checkpoints)) bytes += byteLength(checkpoint) + byteLength(metadata);
      }
      for (const [key, writes] of Object.entries(saver.writes)) {
        if ((JSON.parse(key) as string[])[0] !== threadId) continue;
        for (const [, , value] of Object.values(writes)) bytes += byteLength(value);
      }
      return bytes;
    },
    close: async () => {},
  };
}

/** What the benchmark uses of a better-sqlite3 database. */
interface SqliteDatabase {
  prepare(sql: string): { get(...params: unknown[]): unknown };
  close(): void;
}
type SqliteDatabaseClass = new (file: string, options?: { nativeBinding?: string }) => SqliteDatabase;

/**
 * better-sqlite3's addon for the Node running this process: the project's own, or, on a Node installed by
 * scripts/node-runtime.sh (`prepare`), the one built for it there, so the project's addon is left alone.
 */
function sqliteNativeBinding(): string | undefined {
  const runtimeHome = resolve(dirname(process.execPath), "../../..");
  const built = join(runtimeHome, "better-sqlite3/build/Release/better_sqlite3.node");
  return runtimeHome.includes(join("node_modules", ".cache", "node-runtime")) && existsSync(built) ? built : undefined;
}

/** `SqliteSaver` on a file of its own: the lengths of the thread's checkpoint, metadata and write blobs. */
async function sqliteSavers(): Promise<SaverFactory> {
  const dir = await mkdtemp(join(tmpdir(), "moa-thread-growth-"));
  const Database = createRequire(import.meta.url)("better-sqlite3") as SqliteDatabaseClass;
  const nativeBinding = sqliteNativeBinding();
  const databases: SqliteDatabase[] = [];
  return {
    async create(name) {
      const db = new Database(join(dir, `${name}.sqlite`), nativeBinding ? { nativeBinding } : {});
      databases.push(db);
      const saver = new SqliteSaver(db as never);
      // Prepared at the first count: the saver creates its tables at its first use.
      const sum = () => db.prepare(
        `SELECT (SELECT COALESCE(SUM(LENGTH(CAST(checkpoint AS BLOB)) + LENGTH(CAST(metadata AS BLOB))), 0) FROM checkpoints WHERE thread_id = ?)
              + (SELECT COALESCE(SUM(LENGTH(CAST(value AS BLOB))), 0) FROM writes WHERE thread_id = ?) AS bytes`,
      );
      return {
        saver,
        storedBytes: async (threadId) => (sum().get(threadId, threadId) as { bytes: number }).bytes,
        close: async () => {},
      };
    },
    async close() {
      databases.forEach((db) => db.close());
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * `PostgresSaver` on a database of its own on one throwaway server: the `octet_length` of the thread's rows'
 * payloads in `checkpoints` (checkpoint and metadata as text), `checkpoint_blobs` and `checkpoint_writes`.
 */
async function postgresSavers(): Promise<SaverFactory> {
  const server = await startPostgres();
  const open: Array<{ saver: PostgresSaver; pool: pg.Pool }> = [];
  return {
    async create(name) {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      const url = server.url.replace(/\/postgres$/, `/${name}`);
      const saver = PostgresSaver.fromConnString(url);
      await saver.setup();
      const pool = new pg.Pool({ connectionString: url, max: 1 });
      open.push({ saver, pool });
      return {
        saver,
        async storedBytes(threadId) {
          const { rows } = await pool.query<{ bytes: string }>(
            `SELECT (SELECT COALESCE(SUM(octet_length(checkpoint::text) + octet_length(metadata::text)), 0) FROM checkpoints WHERE thread_id = $1)
                  + (SELECT COALESCE(SUM(octet_length(blob)), 0) FROM checkpoint_blobs WHERE thread_id = $1)
                  + (SELECT COALESCE(SUM(octet_length(blob)), 0) FROM checkpoint_writes WHERE thread_id = $1) AS bytes`,
            [threadId],
          );
          return Number(rows[0]?.bytes ?? 0);
        },
        close: async () => {},
      };
    },
    async close() {
      for (const { saver, pool } of open) await Promise.all([saver.end(), pool.end()]);
      await server.stop();
    },
  };
}

/**
 * The savers of `kind`. Stored bytes count the serialized payloads only (not keys, ids or indexes):
 * MemorySaver, the byte lengths of the thread's entries in its `storage` and `writes` maps; SQLite, the
 * lengths of the checkpoint, metadata and write blobs of the thread's rows; PostgreSQL, the `octet_length`
 * of the thread's rows in `checkpoints`, `checkpoint_blobs` and `checkpoint_writes`.
 */
export async function openSavers(kind: SaverKind): Promise<SaverFactory> {
  if (kind === "sqlite") return sqliteSavers();
  if (kind === "postgres") return postgresSavers();
  return { create: async () => memorySaver(), close: async () => {} };
}
