/**
 * The conversation example with nothing configured, on a machine with no key and no Ollama: its first
 * run with --yes fetches the embedded default's model from the hub (a loopback stand-in named by
 * HF_ENDPOINT, serving a tiny random-weight model under the real model's name), shows where it goes and
 * answers with the real llama.cpp engine; the next run makes no request at all, with the hub gone.
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDED_MODEL } from "../../examples/conversation/embedded-models.js";
import { startHubServer, type HubServer } from "../support/hub-server.js";
import { makeTinyGguf, type TinyGguf } from "../support/tiny-gguf.js";
import { closedPort } from "./support/closed-port.js";
import { ROOT, cleanEnv, exampleCommand, makeTempDir, runPiped, type TempDir } from "./support/example.js";
import { Terminal, startTmuxServer, stopTmuxServer } from "./support/tmux.js";

const [, repoPath = ""] = /^hf:(.+)$/.exec(EMBEDDED_MODEL) ?? [];
const [user, repo, ...file] = repoPath.split("/");

const SOCKET = `moa-embedded-${process.pid}`;
let hub: HubServer;
let tiny: TinyGguf;
let models: TempDir;
beforeAll(async () => {
  tiny = await makeTinyGguf(file.join("/"));
  hub = await startHubServer([{ repo: `${user}/${repo}`, file: file.join("/"), content: tiny.path }]);
  models = makeTempDir();
  await startTmuxServer(SOCKET);
});
afterAll(async () => {
  await stopTmuxServer(SOCKET);
  await hub?.close();
  await tiny?.remove();
  models?.remove();
});

describe("the embedded default", () => {
  it("at a terminal, says why, names the model, its size and where it goes, asks once; declined, fetches nothing", async (test) => {
    const dir = makeTempDir();
    test.onTestFinished(() => dir.remove());
    const env = cleanEnv({ OLLAMA_HOST: `127.0.0.1:${await closedPort()}`, MOA_MODELS_DIR: dir.path, HF_ENDPOINT: hub.url });
    const declined = await Terminal.start({ socket: SOCKET, command: exampleCommand([]), env, cwd: ROOT });
    test.onTestFinished(() => declined.close());
    const question = await declined.waitFor(/\[Y\/n\]/);
    expect(question).toContain("No API key is set and no Ollama answered at");
    expect(question.replace(/\n/g, " ")).toContain(`The embedded default is Qwen2.5-0.5B-Instruct (Q8_0) (${(tiny.bytes / 1024).toFixed(0)} KiB), run here by llama.cpp; it is fetched once into ${dir.path}.`);
    expect(question).toMatch(/Fetch it and start\? \[Y\/n\]$/);
    await declined.type("n");
    await declined.waitForExit();
    const after = await declined.screen();
    expect(after.replace(/\n\s*/g, " ")).toContain("run `npm run conversation -- --yes` to fetch the embedded default");
    expect(readdirSync(dir.path)).toEqual([]);

    hub.throttle({ chunkBytes: 64 * 1024, delayMs: 60 });
    test.onTestFinished(() => hub.throttle(undefined));
    const accepted = await Terminal.start({ socket: SOCKET, command: exampleCommand([]), env, cwd: ROOT });
    test.onTestFinished(() => accepted.close());
    await accepted.waitFor(/\[Y\/n\]/);
    await accepted.press("Enter");
    const ready = await accepted.waitFor(/(^|\n)you>$/, { timeoutMs: 120_000 });
    expect(ready).toMatch(/\[=+\]\s+100%/);
    expect(ready).toContain(`Downloaded ${EMBEDDED_MODEL}`);
    expect(ready).toContain("3 proposers × 1 layer");
  }, 240_000);

  it("with --yes, fetches the model once and answers; the next run works offline", async () => {
    const env = async () => cleanEnv({ OLLAMA_HOST: `127.0.0.1:${await closedPort()}`, MOA_MODELS_DIR: models.path, HF_ENDPOINT: hub.url });
    const first = await runPiped(["--yes"], "Tell me about the river.\n", await env(), 120_000);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout.trim().length).toBeGreaterThan(0);
    expect(first.stderr).toContain(`Fetching ${EMBEDDED_MODEL} into ${models.path}`);
    const fetched = hub.requests.filter((r) => r.method === "GET" && r.path.endsWith(file.join("/")));
    expect(fetched.length).toBeGreaterThanOrEqual(1);
    expect(readdirSync(models.path).some((name) => name.endsWith(".gguf"))).toBe(true);

    hub.clearRequests();
    await hub.close();
    const second = await runPiped([], "And the fish?\n", await env(), 120_000);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout.trim().length).toBeGreaterThan(0);
    expect(second.stderr).not.toContain("Fetching");
    expect(hub.requests).toEqual([]);
  }, 240_000);
});
