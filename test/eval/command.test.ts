/**
 * `npm run eval` as a user runs it: a child process with a config file whose models are the local test
 * servers. It shows progress, prints the verdict, writes the report, stops on Ctrl-C and goes on after.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../conversation/support/closed-port.js";
import { startEvalServers, type EvalServers } from "../support/eval-fixtures.js";

// tsx's loader inside the node process rather than the tsx command, whose wrapper relays Ctrl-C with a
// 30 ms deadline and kills the evaluation outright when a loaded machine misses it.
const tsxLoader = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const main = fileURLToPath(new URL("../../eval/main.ts", import.meta.url));

/** Each test starts one or two evaluation processes, which compile TypeScript first: slow on a loaded machine. */
const PROCESS_TEST_MS = 90_000;

let servers: EvalServers;
let dir: string;
let config: string;

beforeAll(async () => {
  servers = await startEvalServers({ latencyMs: 20 });
  dir = mkdtempSync(join(tmpdir(), "moa-eval-command-"));
  config = join(dir, "moa.json");
  writeFileSync(config, JSON.stringify({ ...servers.moa, judge: servers.judge }));
});
afterAll(async () => {
  await servers?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Finished>; stderrSoFar: () => string } {
  const child = spawn(process.execPath, ["--import", tsxLoader, main, ...args], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (data: Buffer) => (stdout += data.toString()));
  child.stderr?.on("data", (data: Buffer) => (stderr += data.toString()));
  const done = new Promise<Finished>((resolve, reject) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", reject);
    // "close", not "exit": only then has everything the process wrote been read.
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done, stderrSoFar: () => stderr };
}

describe("npm run eval", () => {
  it("runs MT-Bench questions, shows progress, prints the verdict and writes report.md, report.json and scores.svg", async () => {
    const { code, stdout, stderr } = await start(["--config", config, "--limit", "3", "--concurrency", "6"]).done;
    expect(stderr).toContain("Evaluating MoA, openai:alpha, ollama:beta on MT-Bench (3 questions), judged by google-genai:judge-pro.");
    expect(stderr).toMatch(/answering and rating\s+\d+\/48/);
    expect(stderr).toMatch(/MoA vs best single\s+48\/48 100% \[#+\] {2}0 failed · done/);
    expect(code).toBe(0);
    expect(stdout).toContain("Yes: the MoA beats its best single model, openai:alpha: 8.00 vs 6.00");
    expect(stdout).toMatch(/MoA\s+8\.00 \(95 % CI 8\.00–8\.00, 6 turns\)/);
    const out = join(dir, "eval-results", "moa-mt-bench");
    expect(stdout).toContain(`Report: ${join("eval-results", "moa-mt-bench", "report.md")}`);
    // The run let go of its cache.
    expect(existsSync(join(out, "cache.jsonl.lock"))).toBe(false);
    const markdown = readFileSync(join(out, "report.md"), "utf8");
    expect(markdown).toMatch(/^# Does the mixture beat its best model\?\n\n\*\*Yes: the MoA beats/);
    expect(markdown).toContain("| MoA | 8.00 (8.00–8.00) |");
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8"))).toMatchObject({ questionSet: "MT-Bench", questions: 3, turns: 6, bestSingle: "openai:alpha" });
    // The report names what it compared, so that two reports can be told apart later.
    const openai = `${servers.openai.url}/v1`;
    expect(JSON.parse(readFileSync(join(out, "report.json"), "utf8")).mixture).toEqual({
      proposers: [{ label: "openai:alpha", baseURL: openai }, { label: "ollama:beta", baseURL: servers.ollama.url }],
      aggregator: [{ label: "openai:mixer", baseURL: openai }],
      layers: 1,
      minProposals: 1,
    });
    expect(markdown).toContain(`Systems: the MoA (proposers openai:alpha at ${openai}, ollama:beta at ${servers.ollama.url}; aggregator openai:mixer at ${openai}; 1 layer) and each proposer alone.`);
    expect(readFileSync(join(out, "scores.svg"), "utf8")).toMatch(/^<svg [\s\S]*<\/svg>$/);
    const written = ["report.md", "report.json", "scores.svg", "cache.jsonl"].map((name) => readFileSync(join(out, name), "utf8")).join("");
    expect(`${stdout}${stderr}${written}`).not.toMatch(/sk-eval-test-openai|gemini-eval-test-key/);
  }, PROCESS_TEST_MS);

  it("stops on Ctrl-C with what was answered kept, and the same command goes on from there", async () => {
    const out = join(dir, "stopped");
    const first = start(["--config", config, "--limit", "6", "--concurrency", "2", "--out", out]);
    await until(() => /answering and rating\s+([1-9]\d*)\/96/.test(first.stderrSoFar()));
    first.child.kill("SIGINT");
    const stopped = await first.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/Stopped at \d+\/96\. What was answered is in .*cache\.jsonl; run the same command to go on from there\./);
    const cachedAtStop = readFileSync(join(out, "cache.jsonl"), "utf8").trim().split("\n").length;
    expect(cachedAtStop).toBeGreaterThan(0);
    expect(cachedAtStop).toBeLessThan(96);

    const resumed = await start(["--config", config, "--limit", "6", "--concurrency", "2", "--out", out]).done;
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`(${cachedAtStop} answers and verdicts from earlier runs; what this run needs of them is not asked again)`);
    expect(resumed.stdout).toContain("Yes: the MoA beats its best single model");
    expect(readFileSync(join(out, "cache.jsonl"), "utf8").trim().split("\n")).toHaveLength(96);
    expect(existsSync(join(out, "report.md"))).toBe(true);
  }, PROCESS_TEST_MS);

  it("fails a trial run against a server that is down: exit 1, the first error on one line (no stack, no key), no report", async () => {
    const port = await closedPort();
    const down = join(dir, "down.json");
    const unreachable = { model: "openai:alpha", apiKey: "sk-eval-test-openai", baseURL: `http://127.0.0.1:${port}/v1` };
    writeFileSync(down, JSON.stringify({ proposers: [unreachable, { model: "ollama:beta", baseUrl: `http://127.0.0.1:${port}` }], aggregator: unreachable, retry: false, judge: servers.judge }));
    const { code, stdout, stderr } = await start(["--config", down, "--limit", "1"]).done;
    expect(code).toBe(1);
    expect(stderr).toContain("No answer could be rated: every answer failed (3 calls).");
    const firstError = stderr.split("\n").filter((line) => line.startsWith("The first error: "));
    expect(firstError).toHaveLength(1);
    expect(firstError[0]).toMatch(new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}`));
    expect(stderr).toContain(`what was answered is kept in ${join("eval-results", "down-mt-bench", "cache.jsonl")}`);
    expect(stdout).toBe("");
    expect(`${stdout}${stderr}`).not.toMatch(/sk-eval-test-openai|gemini-eval-test-key|^\s+at /m);
    expect(existsSync(join(dir, "eval-results", "down-mt-bench", "report.md"))).toBe(false);
  }, PROCESS_TEST_MS);

  it("explains a bad invocation without a stack trace", async () => {
    const { code, stderr } = await start(["--judge", "openai:gpt-4o"]).done;
    expect(code).toBe(2);
    expect(stderr.trim()).toBe('Give the MoA to evaluate: --config moa.json, e.g. {"proposers": ["ollama:llama3.1", "ollama:qwen2.5"], "aggregator": "ollama:llama3.1"}');
  }, PROCESS_TEST_MS);
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out waiting for the run to make progress");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
