/**
 * The evaluation end to end against the local protocol servers: scripted answers and scripted judge
 * verdicts in, the exact ratings, intervals, win rates and costs out.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bootstrapMean } from "../../eval/bootstrap.js";
import { createJudge } from "../../eval/judge.js";
import { loadJudgePrompts } from "../../eval/judge-prompts.js";
import { loadQuestionFile } from "../../eval/questions.js";
import { RunCache } from "../../eval/run-cache.js";
import { runEvaluation, type EvaluationSettings } from "../../eval/run-evaluation.js";
import { summarize } from "../../eval/summarize.js";
import { evalSystems } from "../../eval/systems.js";
import type { ProgressSnapshot } from "../../eval/progress.js";
import type { EvalReport } from "../../eval/report-types.js";
import { renderMarkdown } from "../../eval/render-markdown.js";
import type { RecordedRequest } from "../support/protocol-server.js";
import { QUESTIONS, RATINGS, USAGE, startEvalServers, writeQuestionFile, type EvalServers } from "../support/eval-fixtures.js";

let servers: EvalServers;
let dir: string;

beforeAll(async () => {
  servers = await startEvalServers();
  dir = mkdtempSync(join(tmpdir(), "moa-eval-"));
});
afterAll(async () => {
  await servers?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const server of servers.all) server.requests.length = 0;
});

function settings(out: string, extra: Partial<EvaluationSettings> = {}): EvaluationSettings {
  return {
    questions: loadQuestionFile(writeQuestionFile(dir)),
    systems: evalSystems(servers.moa),
    judge: createJudge(servers.judge),
    prompts: loadJudgePrompts(),
    cache: RunCache.open(join(dir, out, "cache.jsonl")),
    ...extra,
  };
}

async function evaluateInto(out: string, extra: Partial<EvaluationSettings> = {}): Promise<EvalReport> {
  const run = settings(out, extra);
  const records = await runEvaluation(run);
  expect(records.stopped).toBe(false);
  return summarize(records, { questionSet: "questions.jsonl", questions: run.questions, systems: run.systems, judgeLabel: run.judge.label });
}

const clusters = (system: keyof typeof RATINGS, include: (question: (typeof QUESTIONS)[number], turn: number) => boolean = () => true) =>
  QUESTIONS.map((question) => question.turns.flatMap((_, i) => {
    const rating = RATINGS[system][`${question.id.slice(1)}.${i + 1}`];
    return rating !== null && rating !== undefined && include(question, i + 1) ? [rating] : [];
  }));

/** Every chat request the servers received, as model + messages, counted. */
function requestCounts(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of servers.all.flatMap((server) => server.requests)) {
    const key = `${request.model} ${JSON.stringify(request.messages)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

describe("an evaluation of an MoA (alpha + beta, aggregated by mixer) on four questions", () => {
  let report: EvalReport;
  let lastProgress: ProgressSnapshot | undefined;
  beforeAll(async () => {
    report = await evaluateInto("full", { concurrency: 3, onProgress: (progress) => (lastProgress = progress) });
  });

  it("counts every unit of work in its progress: 21 answers, 21 ratings, 14 head-to-head verdicts", () => {
    expect(lastProgress).toEqual({ stage: "comparing", done: 56, total: 56, cached: 0, failed: 0, skipped: 0, unreadable: 1, etaMs: 0 });
  });

  it("rates every system's answers with the judge's exact ratings, intervals bootstrapped by question", () => {
    const [moa, alpha, beta] = report.systems;
    expect([moa?.label, alpha?.label, beta?.label]).toEqual(["MoA", "openai:alpha", "ollama:beta"]);
    expect(moa?.score).toEqual({ ...bootstrapMean(clusters("moa")), mean: 50 / 7, n: 7 });
    expect(alpha?.score).toEqual({ ...bootstrapMean(clusters("alpha")), mean: 36 / 7, n: 7 });
    // beta's ratings are all 5: no resample can move the mean.
    expect(beta?.score).toEqual({ mean: 5, low: 5, high: 5, n: 6 });
    expect(alpha?.score.low).toBeLessThan(36 / 7);
    expect(alpha?.score.high).toBeGreaterThan(36 / 7);
    expect(moa?.turns.map((turn) => [turn.mean, turn.n])).toEqual([[7, 4], [22 / 3, 3]]);
    expect(moa?.categories.writing).toEqual({ ...bootstrapMean(clusters("moa", (q) => q.category === "writing")), mean: 8, n: 4 });
    expect(moa?.categories.math?.mean).toBe(6);
    expect([beta?.unreadable, beta?.missing, alpha?.unreadable, alpha?.missing]).toEqual([1, 0, 0, 0]);
  });

  it("compares the MoA with the best single model in both orders: disagreeing orders count as a tie", () => {
    expect(report.bestSingle).toBe("openai:alpha");
    const { pairwise } = report;
    expect(pairwise).toMatchObject({ opponent: "openai:alpha", compared: 7, wins: 4, ties: 2, losses: 1, inconsistent: 1, unreadable: 0, missing: 0 });
    const outcomes = [[1, 1], [0, 0], [0, 1], [1]];
    expect(pairwise?.winRate).toEqual({ ...bootstrapMean(outcomes), mean: 4 / 7, n: 7 });
    expect(pairwise?.lossRate.mean).toBe(1 / 7);
    expect(pairwise?.adjustedWinRate.mean).toBe(5 / 7);
    // MoA beats alpha by exactly 2 points on every turn both were rated.
    expect(report.difference).toEqual({ mean: 2, low: 2, high: 2, n: 7 });
    expect(report.verdict).toMatch(/^Yes: the MoA beats its best single model, openai:alpha: 7\.14 vs 5\.14 on the 7 turns both were rated \(difference \+2\.00, 95 % CI \+2\.00 to \+2\.00\); head to head it wins 57 %, ties 29 % and loses 14 % of 7 turns, at 3\.0× the calls and 4\.9× the tokens\.$/);
  });

  it("counts each system's calls and tokens from the providers' usage, and the judge's apart", () => {
    const tokens = (usage: { input: number; output: number }, n: number) => ({ inputTokens: usage.input * n, outputTokens: usage.output * n });
    expect(report.systems[0]?.cost).toMatchObject({ answers: 7, calls: 21, inputTokens: (USAGE.alpha.input + USAGE.beta.input + USAGE.mixer.input) * 7, outputTokens: (USAGE.alpha.output + USAGE.beta.output + USAGE.mixer.output) * 7 });
    expect(report.systems[1]?.cost).toMatchObject({ answers: 7, calls: 7, ...tokens(USAGE.alpha, 7) });
    expect(report.systems[2]?.cost).toMatchObject({ answers: 7, calls: 7, ...tokens(USAGE.beta, 7) });
    for (const system of report.systems) expect(system.cost.wallMs).toBeGreaterThan(0);
    // 21 ratings + 1 retried unreadable reply + 2 more for the one never readable, and 14 pairwise verdicts.
    expect(report.judge).toMatchObject({ unreadable: 1, cost: { answers: 35, calls: 38, ...tokens(USAGE.judge, 38) } });
    expect(report.costRatio).toEqual({ calls: 3, tokens: (826 / 168), wallTime: expect.any(Number) });
    expect(report.failures).toEqual([]);
  });
});

describe("the judge prompts sent", () => {
  it("carry the reference answer for a question that has one, and the whole conversation for a later turn", async () => {
    servers.forgetJudgeReplies();
    await evaluateInto("prompts");
    const prompts = servers.gemini.requests.map((request) => request.messages.map((m) => m.content).join("\n---\n"));
    const betaMath2 = prompts.find((prompt) => prompt.includes("<<beta>> answer to 3.2") && prompt.includes("[[rating]]"));
    expect(betaMath2).toContain("### User:\nQ3.1 What is 2+2?\n\n### Reference answer:\nR3.1 four\n\n### User:\nQ3.2 And times 3?\n\n### Reference answer:\nR3.2 twelve");
    expect(betaMath2).toContain("### User:\nQ3.1 What is 2+2?\n\n### Assistant A:\n<<beta>> answer to 3.1\n\n### User:\nQ3.2 And times 3?\n\n### Assistant A:\n<<beta>> answer to 3.2");
    const alphaWriting1 = prompts.find((prompt) => prompt.includes("<<alpha>> answer to 1.1") && prompt.includes("[[rating]]"));
    expect(alphaWriting1).toContain("[Question]\nQ1.1 Write a haiku.\n\n[The Start of Assistant's Answer]\n<<alpha>> answer to 1.1\n[The End of Assistant's Answer]");
    expect(alphaWriting1).not.toContain("Reference");
    // A reply without a verdict is shown back to the judge with a reminder of the format.
    const retry = servers.gemini.requests.find((request) => request.messages[2]?.content === "The answer is fine. Rating: good");
    expect(retry?.messages.slice(2)).toEqual([
      { role: "assistant", content: "The answer is fine. Rating: good" },
      { role: "user", content: expect.stringContaining('strictly in the format "[[rating]]"') },
    ]);
    // Asked as MT-Bench asks its judge: temperature 0, up to 2048 tokens.
    expect(servers.gemini.requests[0]?.body).toMatchObject({ generationConfig: { temperature: 0, maxOutputTokens: 2048 } });
    // A second turn is answered with the system's own first answer in the conversation.
    const alphaTurn2 = servers.openai.requests.find((request) => request.model === "alpha" && request.messages.at(-1)?.content.startsWith("Q1.2"));
    expect(alphaTurn2?.messages).toEqual([
      { role: "user", content: "Q1.1 Write a haiku." },
      { role: "assistant", content: "<<alpha>> answer to 1.1" },
      { role: "user", content: "Q1.2 Now make it rhyme." },
    ]);
  });
});

describe("stopping and resuming", () => {
  it("a stopped run goes on where it stopped: nothing answered is asked again, and the report is the same", async () => {
    const reference = await evaluateInto("uninterrupted", { concurrency: 1 });
    const uninterrupted = requestCounts();
    for (const server of servers.all) server.requests.length = 0;

    const controller = new AbortController();
    const first = settings("resumed", {
      concurrency: 1,
      signal: controller.signal,
      onProgress: (progress) => {
        if (progress.done >= 20) controller.abort(new Error("stopped by the test"));
      },
    });
    const stopped = await runEvaluation(first);
    expect(stopped.stopped).toBe(true);
    const beforeStop = requestCounts();
    expect(beforeStop.size).toBeGreaterThan(0);
    for (const server of servers.all) server.requests.length = 0;

    const resumed = await evaluateInto("resumed", { concurrency: 1 });
    const afterStop = requestCounts();
    expect(afterStop.size).toBeGreaterThan(0);
    // The two halves together sent exactly the requests of one uninterrupted run, but for the verdict
    // never readable: not cached, it is asked by each half that gets to it.
    const neverReadable = (key: string) => key.startsWith("judge-pro ") && key.includes("<<beta>> answer to 2.2");
    const together = new Map([...beforeStop].filter(([key]) => !neverReadable(key)));
    for (const [key, count] of afterStop) if (!neverReadable(key)) together.set(key, (together.get(key) ?? 0) + count);
    expect(together).toEqual(new Map([...uninterrupted].filter(([key]) => !neverReadable(key))));
    expect([...afterStop].filter(([key]) => neverReadable(key)).reduce((sum, [, count]) => sum + count, 0)).toBe(3);
    const withoutTimes = (report: EvalReport) => JSON.parse(JSON.stringify(report, (key, value: unknown) => (key === "wallMs" || key === "wallTime" ? 0 : value)));
    expect(withoutTimes(resumed)).toEqual(withoutTimes(reference));
    // A third run finds everything in the cache and asks only the one verdict never readable (3 attempts).
    for (const server of servers.all) server.requests.length = 0;
    await evaluateInto("resumed");
    expect(servers.all.flatMap((server) => server.requests).map((request) => `${request.model} ${taggedLast(request)}`)).toEqual(Array(3).fill("judge-pro <<beta>> answer to 2.2"));
    const cacheLines = readFileSync(join(dir, "resumed", "cache.jsonl"), "utf8").trim().split("\n");
    expect(cacheLines).toHaveLength(7 * 3 + 34);
    expect(cacheLines.join("\n")).not.toMatch(/sk-eval-test-openai|gemini-eval-test-key/);
  });
});

describe("what the cache reuses", () => {
  it("answers an edited question afresh, keeps the others, and has a different judge give its own verdicts", async () => {
    await evaluateInto("edits");
    for (const server of servers.all) server.requests.length = 0;
    const edited = QUESTIONS.map((question) => (question.id === "q2" ? { ...question, turns: ["Q2.1 Draft a short email.", ...question.turns.slice(1)] } : question));
    const path = join(dir, "edited.jsonl");
    writeFileSync(path, edited.map((question) => JSON.stringify(question)).join("\n"));
    const run = { ...settings("edits"), questions: loadQuestionFile(path) };
    await runEvaluation(run);
    // Both turns of q2 (turn 2 follows from turn 1), for each of the three systems; nothing else.
    const asked = servers.all.flatMap((server) => server.requests).filter((request) => request.model !== "judge-pro");
    expect(new Set(asked.map((request) => /Q(\d)\.\d/.exec(request.messages.filter((m) => m.role === "user").at(-1)?.content ?? "")?.[1]))).toEqual(new Set(["2"]));
    expect(asked.filter((request) => request.model === "mixer")).toHaveLength(2);

    for (const server of servers.all) server.requests.length = 0;
    await runEvaluation({ ...settings("edits"), judge: createJudge({ ...servers.judge, temperature: 0.2 }) });
    expect(servers.gemini.requests.length).toBeGreaterThanOrEqual(35);
    expect(servers.openai.requests).toEqual([]);
    expect(servers.ollama.requests).toEqual([]);
  });

  it("reports a verdict the judge never wrote readably as unreadable, does not keep it, and asks it again next run: with the judge fixed, it counts", async () => {
    const first = await evaluateInto("unreadable", { judgeAttempts: 2 });
    expect(first.judge.unreadable).toBe(1);
    expect(first.unreadableVerdicts).toEqual([{ kind: "single", systems: ["ollama:beta"], question: "q2", turn: 2, attempts: 2, reply: "I cannot decide on this one." }]);
    expect(first.systems[2]).toMatchObject({ label: "ollama:beta", unreadable: 1, score: { n: 6 } });
    const markdown = renderMarkdown(first);
    expect(markdown).toContain("## Unreadable verdicts (1)");
    expect(markdown).toContain("| single | ollama:beta | q2 | 2 | I cannot decide on this one. |");
    expect(readFileSync(join(dir, "unreadable", "cache.jsonl"), "utf8")).not.toContain("I cannot decide");

    servers.judgeReplies("beta", "2.2", "Clear and short. Rating: [[6]]");
    try {
      for (const server of servers.all) server.requests.length = 0;
      const second = await evaluateInto("unreadable", { judgeAttempts: 2 });
      // The same command asks that one verdict again, once, and nothing else.
      expect(servers.all.flatMap((server) => server.requests).map((request) => `${request.model} ${taggedLast(request)}`)).toEqual(["judge-pro <<beta>> answer to 2.2"]);
      expect(second.judge.unreadable).toBe(0);
      expect(second.unreadableVerdicts).toEqual([]);
      expect(second.systems[2]).toMatchObject({ unreadable: 0, missing: 0, score: { n: 7, mean: 36 / 7 } });
    } finally {
      servers.judgeReplies("beta", "2.2", undefined);
    }
  });

  it("a verdict cut off in the middle (the judge ran out of tokens) is unreadable too, and asked again", async () => {
    servers.judgeReplies("alpha", "1.2", "The answer rhymes well. Rating: [[");
    try {
      const first = await evaluateInto("cut-verdict", { judgeAttempts: 1 });
      expect(first.unreadableVerdicts.map((verdict) => [verdict.systems, verdict.question, verdict.turn, verdict.reply])).toEqual([
        [["openai:alpha"], "q1", 2, "The answer rhymes well. Rating: [["],
        [["ollama:beta"], "q2", 2, "I cannot decide on this one."],
      ]);
      for (const server of servers.all) server.requests.length = 0;
      await evaluateInto("cut-verdict", { judgeAttempts: 1 });
      expect(servers.all.flatMap((server) => server.requests).map((request) => taggedLast(request)).sort()).toEqual(["<<alpha>> answer to 1.2", "<<beta>> answer to 2.2"]);
    } finally {
      servers.judgeReplies("alpha", "1.2", undefined);
    }
  });
});

/** The last graded answer a judge request shows, e.g. `<<beta>> answer to 2.2`. */
function taggedLast(request: RecordedRequest): string {
  const prompt = request.messages.slice(0, 2).map((message) => message.content).join("\n");
  return [...prompt.matchAll(/<<\w+>> answer to \d+\.\d+/g)].at(-1)?.[0] ?? "";
}
