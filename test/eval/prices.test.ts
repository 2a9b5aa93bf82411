/**
 * The evaluation's cost in money: models given a `price` in the config have their calls priced, each
 * system's and the judge's costs are summed in the report, and the Markdown shows a cost column (a lower
 * bound where some calls had no price). A config without prices gives the report it always gave.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createJudge } from "../../eval/judge.js";
import { loadJudgePrompts } from "../../eval/judge-prompts.js";
import { loadQuestionFile } from "../../eval/questions.js";
import { renderMarkdown } from "../../eval/render-markdown.js";
import type { EvalReport } from "../../eval/report-types.js";
import { RunCache } from "../../eval/run-cache.js";
import { runEvaluation } from "../../eval/run-evaluation.js";
import { summarize } from "../../eval/summarize.js";
import { evalSystems } from "../../eval/systems.js";
import type { MixtureOfAgentsOptions, ModelInput, ModelPrice } from "../../src/index.js";
import { startEvalServers, writeQuestionFile, type EvalServers } from "../support/eval-fixtures.js";

let servers: EvalServers;
let dir: string;

beforeAll(async () => {
  servers = await startEvalServers();
  dir = mkdtempSync(join(tmpdir(), "moa-eval-prices-"));
});
afterAll(async () => {
  await servers?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** alpha: 20 tokens in, 4 out a call; mixer: 50 in, 8 out; the judge: 100 in, 10 out (see eval-fixtures). */
const ALPHA: ModelPrice = { inputPerMTok: 1, outputPerMTok: 2 };
const MIXER: ModelPrice = { inputPerMTok: 2, outputPerMTok: 5 };
const JUDGE: ModelPrice = { inputPerMTok: 1, outputPerMTok: 1 };
const ALPHA_CALL = (20 * 1 + 4 * 2) / 1e6;
const MIXER_CALL = (50 * 2 + 8 * 5) / 1e6;
const JUDGE_CALL = (100 + 10) / 1e6;

const priced = (spec: ModelInput, price: ModelPrice): ModelInput => ({ ...(spec as object), price }) as ModelInput;

/** The fixtures' MoA with alpha and mixer priced (beta has no price). */
function pricedMoa(): MixtureOfAgentsOptions {
  const [alpha, beta] = servers.moa.proposers;
  return { ...servers.moa, proposers: [priced(alpha as ModelInput, ALPHA), beta as ModelInput], aggregator: priced(servers.moa.aggregator as ModelInput, MIXER) };
}

async function evaluate(out: string, moa: MixtureOfAgentsOptions, judge: ModelInput): Promise<EvalReport> {
  const run = { questions: loadQuestionFile(writeQuestionFile(dir)), systems: evalSystems(moa), judge: createJudge(judge), prompts: loadJudgePrompts(), cache: RunCache.open(join(dir, out, "cache.jsonl")) };
  try {
    const records = await runEvaluation(run);
    return summarize(records, { questionSet: "questions.jsonl", questions: run.questions, systems: run.systems, judgeLabel: run.judge.label });
  } finally {
    run.cache.release();
  }
}

const rowOf = (markdown: string, start: string) => markdown.split("\n").find((line) => line.startsWith(start)) ?? "";

describe("an evaluation whose config gives prices", () => {
  let report: EvalReport;
  beforeAll(async () => {
    report = await evaluate("priced", pricedMoa(), priced(servers.judge, JUDGE));
  });

  it("sums each system's and the judge's cost; answers with an unpriced call are a lower bound", () => {
    const [moa, alpha, beta] = report.systems;
    // Every MoA answer has an unpriced call (beta's): its cost is alpha's and mixer's.
    expect(moa?.cost.cost).toBeCloseTo(7 * (ALPHA_CALL + MIXER_CALL), 15);
    expect(moa?.cost.uncosted).toBe(7);
    expect(alpha?.cost.cost).toBeCloseTo(7 * ALPHA_CALL, 15);
    expect(alpha?.cost).not.toHaveProperty("uncosted");
    expect(beta?.cost).not.toHaveProperty("cost");
    // 38 judge calls: 35 verdicts, one of them asked again once and one never readable (asked three times).
    expect(report.judge.cost.cost).toBeCloseTo(38 * JUDGE_CALL, 15);
    expect(report.judge.cost).not.toHaveProperty("uncosted");
    expect(report.mixture?.proposers.map((model) => model.price)).toEqual([ALPHA, undefined]);
    expect(report.mixture?.aggregator[0]?.price).toEqual(MIXER);
  });

  it("shows a cost column per system and for the judge", () => {
    const markdown = renderMarkdown(report);
    expect(rowOf(markdown, "| System |")).toBe("| System | Rating (95 % CI) | Turn 1 | Turn 2 | Rated | Unreadable | Missing | Calls | Tokens in | Tokens out | Answer time | Cost |");
    expect(rowOf(markdown, "| MoA |")).toMatch(/ \| ≥ 0\.001176 \|$/);
    expect(rowOf(markdown, "| openai:alpha (best single) |")).toMatch(/ \| 0\.000196 \|$/);
    expect(rowOf(markdown, "| ollama:beta |")).toMatch(/ \| n\/a \|$/);
    expect(rowOf(markdown, "| Judge |")).toBe("| Judge | Verdicts | Unreadable | Calls | Tokens in | Tokens out | Time | Cost |");
    expect(rowOf(markdown, "| google-genai:judge-pro |")).toMatch(/^\| google-genai:judge-pro \| 35 \| 1 \| 38 \| 3800 \| 380 \| .+ \| 0\.00418 \|$/);
    expect(markdown).toContain("Cost is at the prices the config gives its models, in their currency; ≥ marks a lower bound");
  });
});

describe("an evaluation whose config gives no prices", () => {
  it("reports no cost, and its Markdown has no cost column", async () => {
    const report = await evaluate("plain", servers.moa, servers.judge);
    for (const cost of [...report.systems.map((system) => system.cost), report.judge.cost]) {
      expect(cost).not.toHaveProperty("cost");
      expect(cost).not.toHaveProperty("uncosted");
    }
    const markdown = renderMarkdown(report);
    expect(rowOf(markdown, "| System |")).toBe("| System | Rating (95 % CI) | Turn 1 | Turn 2 | Rated | Unreadable | Missing | Calls | Tokens in | Tokens out | Answer time |");
    expect(rowOf(markdown, "| Judge |")).toBe("| Judge | Verdicts | Unreadable | Calls | Tokens in | Tokens out | Time |");
    expect(markdown).not.toContain("Cost is at the prices");
  });

  it("keeps its cached answers when prices are given later: prices change no answer", async () => {
    expect(evalSystems(pricedMoa()).map((system) => system.id)).toEqual(evalSystems(servers.moa).map((system) => system.id));
    expect(createJudge(priced(servers.judge, JUDGE)).id).toBe(createJudge(servers.judge).id);
    for (const server of servers.all) server.requests.length = 0;
    const report = await evaluate("plain", pricedMoa(), priced(servers.judge, JUDGE));
    // No answer is asked again; only the verdict never readable is (3 attempts), as by every run.
    expect(servers.all.map((server) => server.requests.length)).toEqual([0, 0, 3]);
    // Answered before the prices: no cost was recorded with them.
    expect(report.systems[1]?.cost).not.toHaveProperty("cost");
  });
});
