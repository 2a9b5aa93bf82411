/** Failed calls during an evaluation: recorded, reported, never cached, and asked again by the next run. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { evaluate } from "../../eval/evaluate.js";
import { createJudge } from "../../eval/judge.js";
import { loadJudgePrompts } from "../../eval/judge-prompts.js";
import { loadQuestionFile } from "../../eval/questions.js";
import { RunCache } from "../../eval/run-cache.js";
import { runEvaluation } from "../../eval/run-evaluation.js";
import { summarize } from "../../eval/summarize.js";
import { evalSystems } from "../../eval/systems.js";
import { UsageError } from "../../tools/usage-error.js";
import { closedPort } from "../conversation/support/closed-port.js";
import { startEvalServers, writeQuestionFile, type EvalServers } from "../support/eval-fixtures.js";
import { startGeminiServer } from "../support/gemini-server.js";
import type { RecordedRequest } from "../support/protocol-server.js";

let servers: EvalServers;
let dir: string;

beforeAll(async () => {
  servers = await startEvalServers();
  dir = mkdtempSync(join(tmpdir(), "moa-eval-failures-"));
});
afterAll(async () => {
  await servers?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const server of servers.all) server.requests.length = 0;
});
afterEach(() => vi.unstubAllEnvs());

async function run(out: string) {
  const questions = loadQuestionFile(writeQuestionFile(dir));
  const systems = evalSystems(servers.moa);
  const judge = createJudge(servers.judge, { retry: false });
  const records = await runEvaluation({ questions, systems, judge, prompts: loadJudgePrompts(), cache: RunCache.open(join(dir, out, "cache.jsonl")) });
  return summarize(records, { questionSet: "questions.jsonl", questions, systems, judgeLabel: judge.label });
}

describe("a proposer that fails", () => {
  it("is reported with its cause; its later turns are skipped; the MoA answers without it, degraded; the next run asks only what failed or was degraded", async () => {
    servers.ollama.setScript("beta", { fault: { kind: "status", status: 500 } });
    const failed = await run("beta-down");
    const beta = failed.systems[2];
    expect(beta?.score.n).toBe(0);
    expect(beta?.missing).toBe(7);
    expect(failed.failures).toHaveLength(4);
    expect(failed.failures.map((failure) => [failure.stage, failure.system, failure.question, failure.turn])).toEqual(
      expect.arrayContaining([["answer", "ollama:beta", "q1", 1], ["answer", "ollama:beta", "q2", 1], ["answer", "ollama:beta", "q3", 1], ["answer", "ollama:beta", "q4", 1]]),
    );
    expect(failed.failures[0]?.error).toMatch(/ollama:beta/);
    // With one proposer left the MoA still answered every turn, degraded.
    expect(failed.systems[0]).toMatchObject({ degraded: 7, score: { n: 7 } });
    expect(failed.bestSingle).toBe("openai:alpha");

    servers.ollama.setScript("beta", { text: (request: RecordedRequest) => `<<beta>> answer to ${/Q(\d+\.\d+)/.exec(request.messages.at(-1)?.content ?? "")?.[1]}`, usage: { input: 30, output: 6 } });
    for (const server of servers.all) server.requests.length = 0;
    const repaired = await run("beta-down");
    // alpha alone is never asked again; the degraded MoA answers are (alpha and mixer on OpenAI, beta on Ollama).
    expect(servers.openai.requests.filter((request) => request.model === "alpha")).toHaveLength(7);
    expect(servers.openai.requests.filter((request) => request.model === "mixer")).toHaveLength(7);
    expect(servers.ollama.requests).toHaveLength(14);
    // 7 ratings of beta's answers, 2 of them repeated for the reply that never holds a verdict; the MoA's
    // new answers read as before, so their ratings come from the cache.
    expect(servers.gemini.requests).toHaveLength(9);
    expect(repaired.systems[0]?.degraded).toBe(0);
    expect(repaired.failures).toEqual([]);
    expect(repaired.systems[2]?.score).toEqual({ mean: 5, low: 5, high: 5, n: 6 });
  });
});

describe("a judge call that fails", () => {
  it("leaves that rating missing and lists the failure", async () => {
    servers.gemini.setScript("judge-pro", {
      text: (request: RecordedRequest) => {
        const prompt = request.messages.map((m) => m.content).join("\n");
        if (prompt.includes("<<alpha>> answer to 1.1") && prompt.includes("[[rating]]") && !prompt.includes("1.2")) throw new Error("judge overloaded");
        return prompt.includes("[[rating]]") ? "Rating: [[6]]" : "[[C]]";
      },
    });
    const report = await run("judge-down");
    expect(report.failures.map((failure) => [failure.stage, failure.system, failure.question, failure.turn])).toEqual([["single", "openai:alpha", "q1", 1]]);
    expect(report.failures[0]?.error).toMatch(/google-genai:judge-pro/);
    expect(report.systems[1]).toMatchObject({ missing: 1, unreadable: 0, score: { n: 6 } });
  });
});

describe("models that cannot be created", () => {
  it("are all named before any question is asked, without their keys", async () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    vi.stubEnv("GOOGLE_API_KEY", "");
    vi.stubEnv("GEMINI_API_KEY", "");
    const config = join(dir, "cloud.json");
    writeFileSync(config, JSON.stringify({ proposers: ["openai:gpt-4o-mini", { model: "ollama:beta", baseUrl: servers.ollama.url }], aggregator: "openai:gpt-4o" }));
    const outcome = evaluate({ config, judge: "google-genai:gemini-2.0-flash", concurrency: 2, judgeAttempts: 3, help: false, out: join(dir, "cloud") });
    await expect(outcome).rejects.toThrow(UsageError);
    const message = await outcome.catch((error: Error) => error.message);
    expect(message).toContain("Invalid judge: model \"google-genai:gemini-2.0-flash\"");
    await expect(outcome).rejects.toThrow(/3 models cannot be used:[\s\S]*openai:gpt-4o-mini[\s\S]*OPENAI_API_KEY[\s\S]*openai:gpt-4o[\s\S]*google-genai:gemini-2\.0-flash[\s\S]*GOOGLE_API_KEY/);
    expect(servers.all.flatMap((server) => server.requests)).toEqual([]);
  });

  it("a missing judge is asked for", async () => {
    const config = join(dir, "nojudge.json");
    writeFileSync(config, JSON.stringify({ proposers: ["ollama:a"], aggregator: "ollama:a" }));
    await expect(evaluate({ config, concurrency: 1, judgeAttempts: 3, help: false })).rejects.toThrow(/Name the judge: --judge openai:gpt-4o/);
  });
});

describe("a run where nothing works", () => {
  it("gives up after its first calls all fail, naming the first error, instead of failing every question", async () => {
    const config = join(dir, "down.json");
    writeFileSync(config, JSON.stringify({ ...servers.moa, proposers: [{ model: "ollama:beta", baseUrl: "http://127.0.0.1:9" }], aggregator: { model: "ollama:beta", baseUrl: "http://127.0.0.1:9" }, judge: servers.judge }));
    const outcome = await evaluate({ config, concurrency: 2, judgeAttempts: 3, help: false, out: join(dir, "down") });
    expect(outcome.kind).toBe("failed");
    if (outcome.kind !== "failed") return;
    expect(outcome.reason).toBe("the first 8 calls all failed, so the run gave up");
    expect(outcome.firstError).toMatch(/^ollama:beta.*127\.0\.0\.1:9/);
    expect(outcome.progress?.failed).toBeLessThanOrEqual(10);
  });

  it("fails a trial run too small for the give-up rule (--limit 1: 3 calls), naming the first error on one line without keys, and writes no report", async () => {
    const port = await closedPort();
    const config = join(dir, "trial-down.json");
    const down = { model: "openai:alpha", apiKey: "sk-eval-test-openai", baseURL: `http://127.0.0.1:${port}/v1` };
    writeFileSync(config, JSON.stringify({ proposers: [down, { model: "ollama:beta", baseUrl: `http://127.0.0.1:${port}` }], aggregator: down, retry: false, judge: servers.judge }));
    const out = join(dir, "trial-down");
    const outcome = await evaluate({ config, concurrency: 4, judgeAttempts: 3, help: false, limit: 1, out });
    expect(outcome).toMatchObject({ kind: "failed", reason: "every answer failed (3 calls)", progress: { failed: 3 } });
    if (outcome.kind !== "failed") return;
    // A single model's error (one cause), not the MoA's, which bundles its proposers' causes.
    expect(outcome.firstError).toMatch(new RegExp(`^(openai:alpha|ollama:beta) \\(provider \\w+\\): cannot reach http://127\\.0\\.0\\.1:${port}`));
    expect(outcome.firstError).not.toContain("\n");
    expect(outcome.firstError).not.toContain("sk-eval-test-openai");
    expect(existsSync(join(out, "report.md"))).toBe(false);
    expect(existsSync(join(out, "report.json"))).toBe(false);
    expect(servers.all.flatMap((server) => server.requests)).toEqual([]);
  });

  it("fails a run whose answers came but whose judge never answered, naming the judge's error", async () => {
    const config = join(dir, "judge-unreachable.json");
    writeFileSync(config, JSON.stringify({ ...servers.moa, judge: { ...servers.judge, baseUrl: `http://127.0.0.1:${await closedPort()}` } }));
    const outcome = await evaluate({ config, concurrency: 4, judgeAttempts: 3, help: false, questions: writeQuestionFile(dir), limit: 1, out: join(dir, "judge-unreachable") });
    expect(outcome).toMatchObject({ kind: "failed", reason: "6 answer(s) came, but the judge's 6 calls failed" });
    if (outcome.kind !== "failed") return;
    expect(outcome.firstError).toMatch(/^google-genai:judge-pro.*cannot reach/);
  });

  it("fails a run whose every verdict was unreadable, quoting the judge's reply", async () => {
    const mumbler = await startGeminiServer({ models: { "judge-pro": { text: "Hmm, hard to say." } } });
    try {
      const config = join(dir, "judge-mumbles.json");
      writeFileSync(config, JSON.stringify({ ...servers.moa, judge: { ...servers.judge, baseUrl: mumbler.url } }));
      const outcome = await evaluate({ config, concurrency: 4, judgeAttempts: 1, help: false, questions: writeQuestionFile(dir), limit: 1, out: join(dir, "judge-mumbles") });
      expect(outcome).toEqual(expect.objectContaining({ kind: "failed", reason: 'the judge\'s 6 verdict(s) held no readable [[rating]]; its first reply began: "Hmm, hard to say."' }));
      expect(outcome).not.toHaveProperty("firstError");
    } finally {
      await mumbler.close();
    }
  });

  it("asks the judge again, on the same command, for every verdict a run could not read, once the judge is fixed", async () => {
    const judge = await startGeminiServer({ models: { "judge-pro": { text: "Hmm, hard to say." } } });
    try {
      const config = join(dir, "judge-fixed.json");
      writeFileSync(config, JSON.stringify({ ...servers.moa, judge: { ...servers.judge, baseUrl: judge.url } }));
      const args = { config, concurrency: 4, judgeAttempts: 1, help: false, questions: writeQuestionFile(dir), limit: 1, out: join(dir, "judge-fixed") } as const;
      expect(await evaluate(args)).toMatchObject({ kind: "failed" });
      expect(judge.requests).toHaveLength(6);

      judge.setScript("judge-pro", { text: (request) => (request.messages.some((m) => m.content.includes("[[rating]]")) ? "Clear. Rating: [[7]]" : "Even. [[C]]") });
      judge.requests.length = 0;
      for (const server of servers.all) server.requests.length = 0;
      const fixed = await evaluate(args);
      expect(fixed).toMatchObject({ kind: "reported", report: { judge: { unreadable: 0 }, unreadableVerdicts: [] } });
      // The 6 ratings asked again, then the 4 head-to-head verdicts; the answers came from the cache.
      expect(judge.requests).toHaveLength(10);
      expect(servers.all.flatMap((server) => server.requests)).toEqual([]);
    } finally {
      await judge.close();
    }
  });
});
