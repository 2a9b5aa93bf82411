/**
 * `npm run playground [-- --port N]`: builds the web playground, starts LangGraph Server (`langgraphjs
 * dev`) with the MoA and the page, and prints the page's URL. Models are chosen as in the conversation
 * example: MOA_PROPOSERS / MOA_AGGREGATOR, the providers whose keys are set, a local Ollama, else the
 * embedded default (fetched once, after asking, or with --yes).
 */
import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { relative, resolve } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { discoverDefaultModels } from "../examples/conversation/default-models.js";
import { prepareEmbedded } from "../examples/conversation/embedded-models.js";
import { readModelPrices } from "../examples/conversation/model-prices.js";
import { offeredModels } from "../server/offered-models.js";
import { parseFlags, wholeNumber } from "../tools/command-line.js";
import { UsageError } from "../tools/usage-error.js";
import { buildPlayground } from "./build.js";

const USAGE = `Usage: npm run playground -- [options]

  --port N       the port LangGraph Server listens on (default 2024, LangGraph's)
  --host ADDR    the address it listens on (default 127.0.0.1: this machine only)
  --state-dir D  where LangGraph Server keeps its threads (default: .langgraph_api in the project)
  -y, --yes      fetch the embedded default model without asking, when no other model is configured
  -h, --help     show this help

Models, as for \`npm run conversation\`: MOA_PROPOSERS and MOA_AGGREGATOR ("provider:model" lists), else
the providers whose keys are set (OPENAI_API_KEY, GOOGLE_API_KEY), else a local Ollama, else the embedded
default. MOA_MODELS adds models the page offers to choose from; MOA_PRICES gives prices per model.`;

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** How long LangGraph Server may take to answer `/ok` after it starts, in ms. */
const START_TIMEOUT_MS = 120_000;

function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once("error", () => resolve(false))
      .listen(port, host, () => probe.close(() => resolve(true)));
  });
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
 * The config file to start LangGraph Server with: the project's langgraph.json, or, with `stateDir`, a
 * copy of it in that directory with its paths made relative to it (the server keeps its threads in
 * `.langgraph_api` beside its config file).
 */
async function configFile(stateDir: string | undefined): Promise<string> {
  const projectConfig = `${ROOT}langgraph.json`;
  if (stateDir === undefined) return projectConfig;
  const config = JSON.parse(await readFile(projectConfig, "utf8")) as { graphs: Record<string, string>; http?: { app?: string } };
  const directory = resolve(stateDir);
  const moved = (spec: string) => relative(directory, resolve(ROOT, spec));
  const copy = { ...config, graphs: Object.fromEntries(Object.entries(config.graphs).map(([id, spec]) => [id, moved(spec)])), ...(config.http?.app ? { http: { ...config.http, app: moved(config.http.app) } } : {}) };
  await mkdir(directory, { recursive: true });
  const file = resolve(directory, "langgraph.json");
  await writeFile(file, JSON.stringify(copy, null, 2));
  return file;
}

/** Runs the playground with `argv` (flags only); resolves with the process's exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const flags = parseFlags(argv, { port: { type: "string" }, host: { type: "string" }, "state-dir": { type: "string" }, yes: { type: "boolean", short: "y" }, help: { type: "boolean", short: "h" } }, USAGE);
  if (flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const port = wholeNumber(flags.port, "--port", 1) ?? 2024;
  if (port > 65_535) throw new UsageError(`--port expects a port from 1 to 65535; got ${port}`);
  const host = flags.host ?? "127.0.0.1";
  const defaults = await discoverDefaultModels(env);
  if (defaults.embedded) await prepareEmbedded(defaults.embedded, flags.yes ?? false, env);
  const offered = offeredModels(defaults, env);
  readModelPrices(env); // a wrong MOA_PRICES is said now, not at the first turn
  if (!(await portIsFree(port, host))) throw new UsageError(`Port ${port} on ${host} is in use: choose another with \`npm run playground -- --port N\`.`);
  process.stderr.write(`Models: ${offered.defaults.proposers.map((entry) => entry.model).join(", ")} (from ${offered.defaults.source}). Building the page…\n`);
  await buildPlayground();

  const server = spawn(`${ROOT}node_modules/.bin/langgraphjs`, ["dev", "--port", String(port), "--host", host, "--no-browser", "--no-reload", "--config", await configFile(flags["state-dir"])], {
    cwd: ROOT,
    env: { LANGGRAPH_CLI_NO_ANALYTICS: "1", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise<number>((resolve) => server.once("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => server.kill(signal));
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  const url = `http://${shownHost.includes(":") ? `[${shownHost}]` : shownHost}:${port}`;
  if (await waitUntilUp(url, server)) process.stdout.write(`\nPlayground: ${url}/playground/\n(Ctrl-C stops the server.)\n\n`);
  else if (server.exitCode === null) process.stderr.write(`LangGraph Server did not answer at ${url}/ok within ${START_TIMEOUT_MS / 1000} s; its output is above.\n`);
  else process.stderr.write(`LangGraph Server exited with code ${server.exitCode}; its output is above.\n`);
  return exited;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = error.exitCode;
}
