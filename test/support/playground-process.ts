/**
 * `npm run playground` as a user runs it (playground/start.ts through tsx), on 127.0.0.1 with a free port,
 * its models pointed at a loopback protocol server; stopped with its process group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { closedPort as freePort } from "./closed-port.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** A running playground. */
export interface PlaygroundProcess {
  /** The server's base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The page's URL, as the command printed it. */
  readonly pageUrl: string;
  /** Everything the command wrote so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts the playground with `env` added to a minimal environment; resolves once it printed the page's URL. */
export async function startPlayground(env: Record<string, string>, stateDir?: string, timeoutMs = 120_000): Promise<PlaygroundProcess> {
  const port = await freePort();
  let output = "";
  const child: ChildProcess = spawn(`${ROOT}node_modules/.bin/tsx`, ["playground/start.ts", "--port", String(port), ...(stateDir ? ["--state-dir", stateDir] : [])], {
    cwd: ROOT,
    detached: true,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LANGSMITH_TRACING: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (data: Buffer) => (output += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(-child.pid, "SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
  };
  const until = Date.now() + timeoutMs;
  for (;;) {
    const printed = /Playground: (\S+)/.exec(output);
    if (printed) return { url: `http://127.0.0.1:${port}`, pageUrl: printed[1]!, output: () => output, stop };
    if (child.exitCode !== null || Date.now() > until) {
      await stop();
      throw new Error(`npm run playground did not print its URL (exit code ${child.exitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
