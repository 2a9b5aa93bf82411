/** Checks of the port `npm run playground` is asked to serve on, each failing with a {@link UsageError} that says what to do. */
import { createServer } from "node:net";
import { wholeNumber } from "../tools/command-line.js";
import { UsageError } from "../tools/usage-error.js";

/** The port of `--port` (default 2024), one that browsers accept. */
export async function chosenPort(flag: string | undefined): Promise<number> {
  const port = wholeNumber(flag, "--port", 1) ?? 2024;
  if (port > 65_535) throw new UsageError(`--port expects a port from 1 to 65535; got ${port}`);
  if (await browsersRefuse(port)) throw new UsageError(`Port ${port} is one that browsers (and fetch) refuse to connect to, so the page could not be opened there: choose another with \`npm run playground -- --port N\`.`);
  return port;
}

/**
 * Whether fetch refuses `port` as browsers do (the WHATWG "bad ports": 1, 6000, 6665-6669, ...). Fetch is
 * asked itself, with a dispatcher that fails every request, so nothing is connected to; a runtime that
 * ignored the dispatcher would only try 127.0.0.1.
 */
async function browsersRefuse(port: number): Promise<boolean> {
  const failEveryRequest = {
    dispatch(): never {
      throw new Error("no request is sent");
    },
  };
  try {
    await fetch(`http://127.0.0.1:${port}/`, { dispatcher: failEveryRequest as unknown } as RequestInit);
    return false;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message === "bad port";
  }
}

/** Why `port` on `host` cannot be listened on (an error code such as EADDRINUSE); undefined when it can. */
export function listenProblem(port: number, host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
      .listen(port, host, () => probe.close(() => resolve(undefined)));
  });
}

/** Throws a {@link UsageError} unless LangGraph Server can listen on `port` of `host`. */
export async function checkListen(port: number, host: string): Promise<void> {
  const problem = await listenProblem(port, host);
  if (problem === undefined) return;
  if (problem === "EADDRINUSE") throw new UsageError(`Port ${port} on ${host} is in use: choose another with \`npm run playground -- --port N\`.`);
  throw new UsageError(
    `Cannot listen on ${host}, port ${port} (${problem}): --host needs an address of this machine (127.0.0.1, the default; 0.0.0.0 for every network) and --port a port this user may open (below 1024 usually needs root).`,
  );
}

