/**
 * `npm run playground [-- --port N]`: builds the web playground, starts LangGraph Server (`langgraphjs
 * dev`) with the MoA and the page, and prints the page's URL. Models are chosen as in the conversation
 * example: MOA_PROPOSERS / MOA_AGGREGATOR, the providers whose keys are set, a local Ollama, else the
 * embedded default (fetched once, after asking, or with --yes).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { constants } from "node:os";
import { fileURLToPath } from "node:url";
import { discoverDefaultModels } from "../examples/conversation/default-models.js";
import { prepareEmbedded } from "../examples/conversation/embedded-models.js";
import { readModelPrices } from "../examples/conversation/model-prices.js";
import { offeredModels } from "../server/offered-models.js";
import { parseFlags } from "../tools/command-line.js";
import { UsageError } from "../tools/usage-error.js";
import { buildPlayground } from "./build.js";
import { checkListen, chosenPort, listenProblem } from "./port-checks.js";
import { holdStateDirectory } from "./state-dir-lock.js";

const USAGE = `Usage: npm run playground -- [options]

  --port N       the port LangGraph Server listens on (default 2024, LangGraph's)
  --host ADDR    the address it listens on (default 127.0.0.1: this machine only)
  --state-dir D  where LangGraph Server keeps its threads (default: .langgraph_api in the project)
  -y, --yes      fetch the embedded default model without asking, when no other model is configured
  -h, --help     show this help

One playground at a time may use a state directory: another one started on it refuses to start and
names the running one's pid and port.

Models, as for \`npm run conversation\`: MOA_PROPOSERS and MOA_AGGREGATOR ("provider:model" lists), else
the providers whose keys are set (OPENAI_API_KEY, GOOGLE_API_KEY), else a local Ollama, else the embedded
default. MOA_MODELS adds models the page offers to choose from; MOA_PRICES gives prices per model.`;

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** How long LangGraph Server may take to answer `/ok` after it starts, in ms. */
const START_TIMEOUT_MS = 120_000;
/**
 * How long the command waits, once `langgraphjs dev` exited, for the server process it started to write
 * the threads out and close its port (that process gives itself 3 s to write them), in ms.
 */
const CLOSE_TIMEOUT_MS = 10_000;
/**
 * The directory whose `.langgraph_api` keeps the threads (`stateDir`, else the project), with that
 * `.langgraph_api` created. Throws a {@link UsageError} when a file stands in the way.
 */
async function stateDirectory(stateDir: string | undefined): Promise<string> {
  const directory = stateDir === undefined ? ROOT : resolve(stateDir);
  try {
    await mkdir(join(directory, ".langgraph_api"), { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem = code === "EEXIST" || code === "ENOTDIR" ? "it is a file, or lies under one, not a directory" : "it cannot be created or written to";
    throw new UsageError(`--state-dir: ${directory} cannot keep the playground's threads: ${problem} (${code}). Give --state-dir a directory (created if missing).`);
  }
  return directory;
}

/**
 * From now on SIGINT and SIGTERM end the command at once, and once the returned function is given the
 * server, they stop it instead (the command then exits when it does). Either way the process exits
 * normally, so its `exit` handlers release the lock.
 */
function stopOnSignals(): (server: ChildProcess) => void {
  let running: ChildProcess | undefined;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (running) running.kill(signal);
      else process.exit(128 + constants.signals[signal]);
    });
  }
  return (server) => {
    running = server;
  };
}

/**
 * Resolves once nothing listens on `port` of `host` any more, or after {@link CLOSE_TIMEOUT_MS}. The
 * server writes its threads before it closes its port, so the lock is kept until then.
 */
async function untilClosed(port: number, host: string): Promise<void> {
  const until = Date.now() + CLOSE_TIMEOUT_MS;
  while (Date.now() < until && (await listenProblem(port, host)) === "EADDRINUSE") await new Promise((resolve) => setTimeout(resolve, 100));
}

async function waitUntilUp(url: string, server: { exitCode: number | null }): Promise<boolean> {
  const until = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < until && server.exitCode === null) {
    if (await fetch(`${url}/ok`).then((response) => response.ok, () => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

/**
 * The config file to start LangGraph Server with: the project's langgraph.json, or, for another state
 * `directory`, a copy of it there with its paths made relative to it (the server keeps its threads in
 * `.langgraph_api` beside its config file).
 */
async function configFile(directory: string): Promise<string> {
  const projectConfig = `${ROOT}langgraph.json`;
  if (resolve(directory) === resolve(ROOT)) return projectConfig;
  const config = JSON.parse(await readFile(projectConfig, "utf8")) as { graphs: Record<string, string>; http?: { app?: string } };
  const moved = (spec: string) => relative(directory, resolve(ROOT, spec));
  const copy = { ...config, graphs: Object.fromEntries(Object.entries(config.graphs).map(([id, spec]) => [id, moved(spec)])), ...(config.http?.app ? { http: { ...config.http, app: moved(config.http.app) } } : {}) };
  const file = resolve(directory, "langgraph.json");
  await writeFile(file, JSON.stringify(copy, null, 2));
  return file;
}

/** Starts LangGraph Server on `port` of `host` with `config`, its output passed through. */
function startServer(port: number, host: string, config: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(`${ROOT}node_modules/.bin/langgraphjs`, ["dev", "--port", String(port), "--host", host, "--no-browser", "--no-reload", "--config", config], {
    cwd: ROOT,
    env: { LANGGRAPH_CLI_NO_ANALYTICS: "1", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
}

/** Prints the page's URL once `server` answers at `url`, or why it did not; resolves with its exit code. */
async function announce(server: ChildProcess, url: string): Promise<number> {
  const exited = new Promise<number>((resolve) => server.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  if (await waitUntilUp(url, server)) process.stdout.write(`\nPlayground: ${url}/playground/\n(Ctrl-C stops the server.)\n\n`);
  else if (server.exitCode === null) process.stderr.write(`LangGraph Server did not answer at ${url}/ok within ${START_TIMEOUT_MS / 1000} s; its output is above.\n`);
  else process.stderr.write(`LangGraph Server exited with code ${server.exitCode}; its output is above.\n`);
  return exited;
}

/** The URL a browser on this machine opens the server at. */
function serverUrl(host: string, port: number): string {
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`;
}

/** Runs the playground with `argv` (flags only); resolves with the process's exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const flags = parseFlags(argv, { port: { type: "string" }, host: { type: "string" }, "state-dir": { type: "string" }, yes: { type: "boolean", short: "y" }, help: { type: "boolean", short: "h" } }, USAGE);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = await chosenPort(flags.port);
  const host = flags.host ?? "127.0.0.1";
  const defaults = await discoverDefaultModels(env);
  if (defaults.embedded) await prepareEmbedded(defaults.embedded, flags.yes ?? false, env);
  const offered = offeredModels(defaults, env);
  readModelPrices(env); // a wrong MOA_PRICES is said now, not at the first turn
  const directory = await stateDirectory(flags["state-dir"]);
  await checkListen(port, host);
  await holdStateDirectory(directory, port);
  const signalsStop = stopOnSignals();
  process.stderr.write(`Models: ${offered.defaults.proposers.map((entry) => entry.model).join(", ")} (from ${offered.defaults.source}). Building the page…\n`);
  await buildPlayground();
  const server = startServer(port, host, await configFile(directory), env);
  signalsStop(server);
  const exitCode = await announce(server, serverUrl(host, port));
  await untilClosed(port, host);
  return exitCode;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = error.exitCode;
}
