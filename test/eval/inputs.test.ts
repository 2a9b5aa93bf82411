/** What the evaluation is given: question files, config files, flags, the cache file. Bad input names what is wrong. */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseEvalArgs } from "../../eval/cli-args.js";
import { modelsLine } from "../../eval/describe-mixture.js";
import { readEvalConfig } from "../../eval/eval-config.js";
import { loadQuestionFile } from "../../eval/questions.js";
import { RunCache } from "../../eval/run-cache.js";
import { evalSystems } from "../../eval/systems.js";

const dir = mkdtempSync(join(tmpdir(), "moa-eval-inputs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("a question file", () => {
  it("reads one object a line: turns required; id, category and per-turn references optional", () => {
    const path = file("ok.jsonl", [
      JSON.stringify({ id: "refund", category: "support", turns: ["How do I get a refund?", "And for a gift?"], reference: ["Via the form.", "The giver asks."] }),
      "",
      JSON.stringify({ turns: ["Hello?"] }),
      JSON.stringify({ question_id: 81, turns: ["one", "two", "three"], reference: ["", null, "3"] }),
      JSON.stringify({ turns: ["a", "b"], reference: ["", null] }),
    ].join("\n"));
    expect(loadQuestionFile(path)).toEqual([
      { id: "refund", category: "support", turns: ["How do I get a refund?", "And for a gift?"], reference: ["Via the form.", "The giver asks."] },
      { id: "2", category: "general", turns: ["Hello?"] },
      { id: "81", category: "general", turns: ["one", "two", "three"], reference: ["", "", "3"] },
      { id: "4", category: "general", turns: ["a", "b"] },
    ]);
  });

  it.each([
    ["not JSON", "{turns: [", /bad\.jsonl:1 is not valid JSON/],
    ["no turns", JSON.stringify({ id: "a" }), /bad\.jsonl:1: "turns" must be a non-empty array of non-empty strings/],
    ["an empty turn", JSON.stringify({ turns: ["ok", " "] }), /"turns" must be a non-empty array of non-empty strings/],
    ["a reference per turn missing", JSON.stringify({ turns: ["a", "b"], reference: ["x"] }), /"reference" must be an array with one answer per turn \(2\)/],
    ["a reference that is not text", JSON.stringify({ turns: ["a", "b"], reference: ["x", 3] }), /"reference\[1\]" must be a string \(or "" \/ null for no reference\); got 3/],
    ["a null category", JSON.stringify({ turns: ["a"], category: null }), /"category" must be a non-empty string/],
    ["an empty id", JSON.stringify({ id: "", turns: ["a"] }), /"id" must be a non-empty string or a number/],
    ["an unknown field", JSON.stringify({ turns: ["a"], answer: "x" }), /unknown field\(s\) answer; valid fields: id, question_id, category, turns, reference/],
    ["a repeated id", `${JSON.stringify({ id: 1, turns: ["a"] })}\n${JSON.stringify({ id: "1", turns: ["b"] })}`, /bad\.jsonl:2: the id "1" is used twice/],
    ["nothing", "\n\n", /holds no questions/],
  ])("with %s is refused, naming the line and the fix", (_, text, message) => {
    expect(() => loadQuestionFile(file("bad.jsonl", text))).toThrow(message);
  });

  it("may be FastChat's own question.jsonl, whose references leave some turns empty", () => {
    const questions = loadQuestionFile(fileURLToPath(new URL("../../eval/data/mt-bench/question.jsonl", import.meta.url)));
    expect(questions).toHaveLength(80);
    expect(questions.find((question) => question.id === "131")?.reference).toEqual(["The answer to the first question should be [5, 1, 3].", ""]);
  });

  it("that does not exist is named", () => {
    expect(() => loadQuestionFile(join(dir, "missing.jsonl"))).toThrow(/Cannot read .*missing\.jsonl: ENOENT/);
  });
});

describe("a config file", () => {
  it("holds the MoA's options as JSON and may name the judge; the conversation example's own keys are ignored", () => {
    const path = file("moa.json", JSON.stringify({ proposers: ["ollama:llama3.1", "ollama:qwen2.5"], aggregator: "ollama:llama3.1", layers: 2, judge: "openai:gpt-4o", system: "Be brief.", showInternal: true }));
    expect(readEvalConfig(path)).toEqual({ moa: { proposers: ["ollama:llama3.1", "ollama:qwen2.5"], aggregator: "ollama:llama3.1", layers: 2 }, judge: "openai:gpt-4o" });
  });

  it.each(["cloud.json", "ollama.json"])("eval/configs/%s, the README's example, is valid", (name) => {
    const config = readEvalConfig(fileURLToPath(new URL(`../../eval/configs/${name}`, import.meta.url)));
    expect(config.judge).toEqual(expect.any(String));
    expect(evalSystems(config.moa).length).toBe(4);
  });

  it.each([
    ["not JSON", "{", /The config file .*moa-bad\.json is not valid JSON: /],
    ["an array", "[]", /must hold a JSON object, e\.g\. \{ "proposers"/],
    ["a bad option", JSON.stringify({ proposers: ["ollama:a"], aggregator: "ollama:a", layers: 0 }), /In .*moa-bad\.json: Invalid layers: .*>= 1/],
    ["an unknown option", JSON.stringify({ proposers: ["ollama:a"], aggregator: "ollama:a", judges: "x" }), /unknown option\(s\) judges/],
    ["a bad judge", JSON.stringify({ proposers: ["ollama:a"], aggregator: "ollama:a", judge: { model: "openai:gpt-4o", temp: 0 } }), /Invalid judge: unknown field\(s\) temp/],
    ["a checkpointer", JSON.stringify({ proposers: ["ollama:a"], aggregator: "ollama:a", checkpointer: true }), /"checkpointer" cannot be given to an evaluation/],
  ])("with %s is refused with the option named", (_, text, message) => {
    expect(() => readEvalConfig(file("moa-bad.json", text))).toThrow(message);
  });
});

describe("the systems of a config", () => {
  it("are the MoA and each distinct proposer once (a sampled proposer answers once), with ids that ignore API keys", () => {
    const options = { proposers: [{ model: "ollama:a", samples: 3, temperature: 0.7 }, "ollama:b", "ollama:b"], aggregator: "ollama:a" };
    const systems = evalSystems(options);
    expect(systems.map((system) => [system.label, system.kind])).toEqual([["MoA", "moa"], ["ollama:a", "single"], ["ollama:b", "single"]]);
    const withKey = evalSystems({ ...options, proposers: [{ model: "ollama:a", samples: 3, temperature: 0.7, apiKey: "secret-1" }, "ollama:b"] });
    expect(withKey[1]?.id).toBe(systems[1]?.id);
    const hotter = evalSystems({ ...options, proposers: [{ model: "ollama:a", temperature: 0.9 }, "ollama:b"] });
    expect(hotter[1]?.id).not.toBe(systems[1]?.id);
    expect(hotter[0]?.id).not.toBe(systems[0]?.id);
  });

  it("number two proposers of one model with different settings", () => {
    const systems = evalSystems({ proposers: [{ model: "ollama:a", temperature: 0 }, { model: "ollama:a", temperature: 1 }], aggregator: "ollama:a" });
    expect(systems.map((system) => system.label)).toEqual(["MoA", "ollama:a #1", "ollama:a #2"]);
  });

  it("describe the MoA for its report: models, samples, settings, servers and layers, never a key, a header or a URL's credentials", () => {
    const [moa] = evalSystems({
      proposers: [
        { model: "openai:qwen", name: "vllm-qwen", samples: 3, temperature: 0.7, apiKey: "sk-report-secret-1", baseURL: "http://user:pw-secret@gpu-box:8000/v1?key=query-secret" },
        { model: "ollama:llama3.1", maxTokens: 512, params: { headers: { Authorization: "Bearer params-secret" } } },
      ],
      aggregator: ["openai:gpt-4o", "google-genai:gemini-2.0-flash"],
      rounds: 2,
      minProposals: 2,
    });
    expect(moa?.mixture).toEqual({
      proposers: [
        { label: "vllm-qwen", model: "openai:qwen", samples: 3, temperature: 0.7, baseURL: "http://gpu-box:8000/v1" },
        { label: "ollama:llama3.1", maxTokens: 512 },
      ],
      aggregator: [{ label: "openai:gpt-4o" }, { label: "google-genai:gemini-2.0-flash" }],
      layers: 3,
      minProposals: 2,
    });
    expect(JSON.stringify(moa?.mixture)).not.toMatch(/secret/);
    expect(modelsLine(moa?.mixture?.proposers ?? [])).toBe("vllm-qwen ×3 (openai:qwen, temperature 0.7) at http://gpu-box:8000/v1, ollama:llama3.1 (max 512 tokens)");
  });
});

describe("the flags", () => {
  it("default to 4 concurrent calls and 3 judge attempts", () => {
    expect(parseEvalArgs(["--config", "moa.json", "--judge", "openai:gpt-4o", "--limit", "5"])).toEqual({ config: "moa.json", judge: "openai:gpt-4o", concurrency: 4, limit: 5, judgeAttempts: 3, help: false });
  });

  it.each([
    [["--concurrency", "0"], /--concurrency expects a whole number >= 1; got "0"/],
    [["--limit", "two"], /--limit expects a whole number >= 1; got "two"/],
    [["--jduge", "x"], /Unknown option '--jduge'[\s\S]*Usage: npm run eval/],
  ])("refuse %j", (argv, message) => {
    expect(() => parseEvalArgs(argv)).toThrow(message);
  });
});

describe("the cache file", () => {
  it("keeps entries across opens, a later entry winning, and survives a run killed mid-write", () => {
    const path = join(dir, "cache", "cache.jsonl");
    const cache = RunCache.open(path);
    cache.put("a", { n: 1 });
    cache.put("b", { n: 2 });
    cache.put("a", { n: 3 });
    appendFileSync(path, '{"key":"c","value":{"n"');
    const reopened = RunCache.open(path);
    expect([reopened.get("a"), reopened.get("b"), reopened.get("c"), reopened.size]).toEqual([{ n: 3 }, { n: 2 }, undefined, 2]);
    reopened.put("d", { n: 4 });
    expect(RunCache.open(path).get("d")).toEqual({ n: 4 });
    expect(readFileSync(path, "utf8").split("\n").at(-2)).toBe('{"key":"d","value":{"n":4}}');
  });

  it("is used by one process at a time: a live holder is named, a dead one's lock is taken over", () => {
    const path = join(dir, "locked", "cache.jsonl");
    RunCache.open(path).release();
    writeFileSync(`${path}.lock`, String(process.ppid));
    expect(() => RunCache.open(path)).toThrow(`Another evaluation (process ${process.ppid}) is using ${join(dir, "locked")}; wait for it to finish, or give another --out`);
    writeFileSync(`${path}.lock`, "2147483646");
    const cache = RunCache.open(path);
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(String(process.pid));
    cache.release();
  });
});
