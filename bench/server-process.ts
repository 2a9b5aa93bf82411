import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

/** The model server of bench/model-server.ts, running in a child process. */
export interface ModelServerProcess {
  /** Base URL of the server, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** Stops the server and waits for its process to exit. */
  close(): Promise<void>;
}

/**
 * Starts a model server script (default bench/model-server.ts; it prints `{"url": ...}` on its first line and
 * stops when its standard input closes) on the Node running this process, and waits until it listens.
 */
export async function startModelServerProcess(script: URL = new URL("model-server.ts", import.meta.url)): Promise<ModelServerProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", script.pathname], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.once("line", (line) => {
      lines.close();
      resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`the model server exited (code ${code}) before it listened`)));
  });
  const { url } = JSON.parse(firstLine) as { url: string };
  return {
    url,
    close: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
