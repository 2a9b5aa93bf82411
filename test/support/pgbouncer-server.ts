/**
 * A throwaway PgBouncer for tests, in front of a test PostgreSQL server (./postgres-server.ts): Debian's
 * `pgbouncer` binary, its own ini and user list in a new directory under the system's temp directory, a
 * free port on 127.0.0.1, trust authentication, the pool mode given. PgBouncer refuses to run as root, so
 * as root it switches to the `postgres` system user itself (`-u`), which keeps the spawned process the
 * pooler (a signal reaches it, unlike through `runuser`).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chown, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { closedPort, connect } from "./closed-port.js";

const run = promisify(execFile);
const BINARY = "/usr/sbin/pgbouncer";

/** How PgBouncer hands server connections to clients: for a session, a transaction, or a statement. */
export type PoolMode = "session" | "transaction" | "statement";

/** What to start a PgBouncer with. */
export interface PgBouncerOptions {
  /** The PostgreSQL server's connection string, e.g. `postgres://postgres@127.0.0.1:5433/postgres`. */
  upstream: string;
  poolMode: PoolMode;
  /** Server connections per database and user (PgBouncer's `default_pool_size`); default 20. */
  poolSize?: number;
  /** More settings of its `[pgbouncer]` section, e.g. `{ query_wait_timeout: 5 }`. */
  settings?: Record<string, string | number>;
}

/** A running test PgBouncer. */
export interface PgBouncerServer {
  /** A connection string for the upstream database through the pooler, e.g. `postgres://postgres@127.0.0.1:6432/postgres`. */
  readonly url: string;
  /** Stops the pooler (immediate shutdown: its clients' connections are closed) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Stops the pooler (immediate shutdown) and deletes its directory. */
  stop(): Promise<void>;
}

async function waitUntilListening(port: number, pooler: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    if (pooler.exitCode !== null) throw new Error(`PgBouncer exited with code ${pooler.exitCode}:\n${log()}`);
    if (await connect(port).then(() => true, () => false)) return;
    if (Date.now() > until) throw new Error(`PgBouncer did not start in 15 s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopped(pooler: ChildProcess): Promise<void> {
  if (pooler.exitCode !== null || pooler.signalCode !== null) return;
  const exited = new Promise((resolve) => pooler.once("exit", resolve));
  pooler.kill("SIGTERM");
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  if (pooler.exitCode === null && pooler.signalCode === null) {
    pooler.kill("SIGKILL");
    await exited;
  }
}

/**
 * Starts a PgBouncer on a free port of 127.0.0.1 in front of `upstream`, pooling in `poolMode`.
 * @throws Error when Debian's pgbouncer is not installed (`apt-get install pgbouncer`) or it does not start in 15 s.
 */
export async function startPgBouncer({ upstream, poolMode, poolSize = 20, settings = {} }: PgBouncerOptions): Promise<PgBouncerServer> {
  if (!existsSync(BINARY)) throw new Error(`PgBouncer was not found at ${BINARY}: install Debian's package (apt-get install pgbouncer)`);
  const target = new URL(upstream);
  const database = target.pathname.slice(1) || "postgres";
  const user = decodeURIComponent(target.username) || "postgres";
  const dir = await mkdtemp(join(tmpdir(), "moa-pgbouncer-"));
  const port = await closedPort();
  const ini = join(dir, "pgbouncer.ini");
  await writeFile(join(dir, "userlist.txt"), `"${user}" ""\n`);
  await writeFile(
    ini,
    [
      "[databases]",
      `${database} = host=${target.hostname} port=${target.port || 5432} dbname=${database}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${join(dir, "userlist.txt")}`,
      `pool_mode = ${poolMode}`,
      `default_pool_size = ${poolSize}`,
      "max_client_conn = 500",
      // node-postgres sends no such parameters by default, but other clients do; PgBouncer refuses unknown ones.
      "ignore_startup_parameters = extra_float_digits,options",
      `pidfile = ${join(dir, "pgbouncer.pid")}`,
      ...Object.entries(settings).map(([name, value]) => `${name} = ${value}`),
      "",
    ].join("\n"),
  );
  const root = userInfo().uid === 0;
  if (root) {
    const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
    for (const path of [dir, ini, join(dir, "userlist.txt")]) await chown(path, Number(uid.trim()), Number(gid.trim()));
  }

  let output = "";
  const start = async (): Promise<ChildProcess> => {
    const pooler = spawn(BINARY, [...(root ? ["-u", "postgres"] : []), ini], { stdio: ["ignore", "pipe", "pipe"] });
    pooler.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    pooler.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitUntilListening(port, pooler, () => output);
    } catch (error) {
      await stopped(pooler);
      throw error;
    }
    return pooler;
  };
  let pooler: ChildProcess;
  try {
    pooler = await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${database}`,
    async restart() {
      await stopped(pooler);
      pooler = await start();
    },
    async stop() {
      await stopped(pooler);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
