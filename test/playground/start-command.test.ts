/**
 * `npm run playground` refusing to start, as a user runs it (playground/start.ts through tsx): a state
 * directory that is a file, an address or a port it cannot listen on, a port browsers refuse, an empty
 * MOA_MODELS, and a state directory another playground uses. Each exits 2 with what is wrong and what to
 * do, without a stack trace. No model is called: OPENAI_BASE_URL points at a closed port.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProcessRunning } from "../../src/models/process-alive.js";
import { closedPort as freePort } from "../support/closed-port.js";
import { startPlayground, type PlaygroundProcess } from "../support/playground-process.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** How long a run that should stop at once may take before its process group is killed, in ms. */
const RUN_TIMEOUT_MS = 45_000;

/** What a finished run of the command printed, and its exit code. */
interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let scratch: string;
let modelEnv: Record<string, string>;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "moa-playground-start-"));
  modelEnv = { MOA_PROPOSERS: "openai:p1", OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: `http://127.0.0.1:${await freePort()}/v1` };
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/**
 * Runs `npm run playground -- ...args` with a minimal environment plus `env`; resolves when it exits. A
 * run still going after {@link RUN_TIMEOUT_MS} (it started a server instead of refusing) is killed with
 * its process group.
 */
function runPlayground(args: readonly string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${ROOT}node_modules/.bin/tsx`, ["playground/start.ts", ...args], {
      cwd: ROOT,
      detached: true,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANGSMITH_TRACING: "false", ...modelEnv, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data.toString()));
    child.stderr.on("data", (data: Buffer) => (stderr += data.toString()));
    const deadline = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), RUN_TIMEOUT_MS);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Expects `run` to be a usage error: exit code 2, a message on stderr, no stack trace. */
function expectUsageError(run: Run): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stdout).not.toContain("Playground:");
}

/** A server listening on a free port of 127.0.0.1, and that port. */
function listenOnFreePort(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

/** The pid of a process that has exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    child.once("exit", () => resolve(child.pid!));
  });
}

describe("npm run playground refuses to start", () => {
  it("with a --state-dir that is a file, naming the path", async () => {
    const file = join(scratch, "a-file");
    await writeFile(file, "not a directory");
    for (const stateDir of [file, join(file, "below")]) {
      const run = await runPlayground(["--state-dir", stateDir, "--port", String(await freePort())]);
      expectUsageError(run);
      expect(run.stderr).toContain(`--state-dir: ${stateDir} cannot keep the playground's threads: it is a file, or lies under one, not a directory`);
      expect(run.stderr).toContain("Give --state-dir a directory");
    }
  }, 60_000);

  it("with a --host it cannot listen on, saying so with the error code (not that the port is in use)", async () => {
    // 192.0.2.1 is a documentation address (RFC 5737), never one of this machine's: EADDRNOTAVAIL, no lookup.
    const port = await freePort();
    const run = await runPlayground(["--host", "192.0.2.1", "--port", String(port), "--state-dir", join(scratch, "host")]);
    expectUsageError(run);
    expect(run.stderr).toContain(`Cannot listen on 192.0.2.1, port ${port} (EADDRNOTAVAIL): --host needs an address of this machine`);
    expect(run.stderr).not.toContain("in use");
  }, 60_000);

  it.each([1, 6000, 6665])("with port %i, which browsers refuse", async (port) => {
    const run = await runPlayground(["--port", String(port), "--state-dir", join(scratch, "bad-port")]);
    expectUsageError(run);
    expect(run.stderr).toContain(`Port ${port} is one that browsers (and fetch) refuse to connect to`);
    expect(run.stderr).toContain("--port N");
  }, 60_000);

  it("with a port in use", async () => {
    const { server, port } = await listenOnFreePort();
    try {
      const run = await runPlayground(["--port", String(port), "--state-dir", join(scratch, "in-use")]);
      expectUsageError(run);
      expect(run.stderr).toContain(`Port ${port} on 127.0.0.1 is in use: choose another with \`npm run playground -- --port N\`.`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }, 60_000);

  it("with an empty MOA_MODELS, showing how to set the variable", async () => {
    const run = await runPlayground(["--port", String(await freePort()), "--state-dir", join(scratch, "models")], { MOA_MODELS: "" });
    expectUsageError(run);
    expect(run.stderr).toContain('MOA_MODELS needs at least one "provider:model", e.g. MOA_MODELS=openai:gpt-4o-mini');
  }, 60_000);
});

describe("one playground per state directory", () => {
  let stateDir: string;
  let lockFile: string;
  let first: PlaygroundProcess | undefined;

  beforeAll(async () => {
    stateDir = join(scratch, "shared");
    lockFile = join(stateDir, ".langgraph_api", "playground.lock");
    await mkdir(join(stateDir, ".langgraph_api"), { recursive: true });
    await writeFile(lockFile, JSON.stringify({ pid: await deadPid(), port: 1 })); // left by a playground that died
  });

  afterAll(async () => {
    await first?.stop();
  });

  it("takes over a stale lock, refuses a second playground naming the first, and releases the lock when stopped", async () => {
    first = await startPlayground(modelEnv, stateDir);
    const firstPort = Number(new URL(first.url).port);
    const lock = JSON.parse(await readFile(lockFile, "utf8")) as { pid: number; port: number };
    expect(lock.port).toBe(firstPort);
    expect(isProcessRunning(lock.pid)).toBe(true);

    const second = await runPlayground(["--port", String(await freePort()), "--state-dir", stateDir]);
    expectUsageError(second);
    expect(second.stderr).toContain(`${stateDir} is in use by another playground (pid ${lock.pid}, port ${firstPort})`);
    expect(second.stderr).toContain("Stop that one, or give this one another directory with --state-dir D.");
    expect(JSON.parse(await readFile(lockFile, "utf8"))).toEqual(lock);

    await first.stop();
    first = undefined;
    expect(existsSync(lockFile)).toBe(false);
    expect(isProcessRunning(lock.pid)).toBe(false);
  }, 240_000);
});
