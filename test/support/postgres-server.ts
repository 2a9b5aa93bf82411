/**
 * A throwaway PostgreSQL server for tests: Debian's PostgreSQL binaries, a new data directory under the
 * system's temp directory, a free port on 127.0.0.1, trust authentication; stopped and deleted by `stop()`.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user that
 * Debian's package creates.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, chown, mkdtemp, rm } from "node:fs/promises";
import { userInfo } from "node:os";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { closedPort } from "./closed-port.js";

const run = promisify(execFile);

/** A running test database server. */
export interface PostgresServer {
  /** A connection string for the `postgres` database, e.g. `postgres://postgres@127.0.0.1:5433/postgres`. */
  readonly url: string;
  /** Stops the server (fast shutdown) and deletes its data directory. */
  stop(): Promise<void>;
}

/** Where Debian puts the server binaries of the newest installed major version. */
async function binDir(): Promise<string> {
  for (const version of ["17", "16", "15", "14"]) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, "postgres"))) return dir;
  }
  const { stdout } = await run("pg_config", ["--bindir"]).catch(() => ({ stdout: "" }));
  if (stdout.trim() !== "" && existsSync(join(stdout.trim(), "postgres"))) return stdout.trim();
  throw new Error("PostgreSQL's server binaries were not found: install Debian's package (apt-get install postgresql)");
}

/** `command` as the `postgres` user when this process is root (PostgreSQL will not run as root). */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return userInfo().uid === 0 ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
}

async function waitUntilReady(bin: string, port: number, server: ChildProcess, log: () => string): Promise<void> {
  const until = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL exited with code ${server.exitCode}:\n${log()}`);
    const ready = await run(join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres"]).then(() => true, () => false);
    if (ready) return;
    if (Date.now() > until) throw new Error(`PostgreSQL did not start in 30 s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a PostgreSQL server with a fresh data directory on a free port.
 * @throws Error when the binaries are missing or the server does not start in 30 s.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = await binDir();
  const dir = await mkdtemp(join(tmpdir(), "moa-pg-"));
  const data = join(dir, "data");
  if (userInfo().uid === 0) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: group } = await run("id", ["-g", "postgres"]);
    await chown(dir, Number(stdout.trim()), Number(group.trim()));
  }
  await chmod(dir, 0o700);
  const [initdb, initArgs] = asServerUser(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  await run(initdb, initArgs);

  const port = await closedPort();
  const settings = ["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=${dir}`, "-c", "fsync=off", "-c", "max_connections=200"];
  const [postgres, args] = asServerUser(join(bin, "postgres"), ["-D", data, "-p", String(port), ...settings]);
  const server = spawn(postgres, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  server.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  server.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  try {
    await waitUntilReady(bin, port, server, () => output);
  } catch (error) {
    server.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((resolve) => server.once("exit", resolve));
        // pg_ctl stops the server itself (fast shutdown) and waits for it to end. A signal to the spawned process
        // would reach only `runuser` when this process is root, which does not pass it on: the server was left
        // running (for up to a minute, until it found its data directory gone), holding this process's pipes.
        const [pgCtl, ctlArgs] = asServerUser(join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "fast", "-w", "-t", "10"]);
        await run(pgCtl, ctlArgs).catch(() => server.kill("SIGINT"));
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
        if (server.exitCode === null) server.kill("SIGKILL");
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
