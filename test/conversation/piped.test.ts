/**
 * The conversation example fed by a pipe: answers on stdout, nothing else there; failures on stderr, once
 * per cause; models that cannot answer said before any question; and the default models found in the
 * environment (keys, a local Ollama), or a short note when there are none.
 */
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer, RecordedRequest } from "../support/protocol-server.js";
import { closedPort } from "./support/closed-port.js";
import { askedWithReferences, cleanEnv, dialogue, lastUserText, makeTempDir, openaiModel, runPiped, type TempDir } from "./support/example.js";

const answer = (prefix: string) => (request: RecordedRequest) => `${prefix} answer to ${lastUserText(request)}`;
const ESCAPE = "\x1b";
const STACK_LINE = /^\s+at /m;

let openai: ProtocolServer;
let ollama: ProtocolServer;
let lonelyOllama: ProtocolServer;
let temp: TempDir;

beforeAll(async () => {
  [openai, ollama, lonelyOllama] = await Promise.all([
    startOpenAIServer({
      models: {
        alpha: { text: "Alpha proposes." },
        broken: { fault: { kind: "status", status: 500 } },
        writer: { text: answer("The"), chunkDelayMs: 5 },
        "gpt-4o-mini": { text: answer("A default model's") },
        "gpt-4o": { text: answer("A default model's") },
        // Listed, but its key is refused when it is called.
        locked: { fault: { kind: "status", status: 401, message: "Incorrect API key provided: sk-test-key." } },
      },
      // Answers any name, but lists only the models above: a name it does not list is left out at start-up.
      fallback: { text: answer("An unlisted model's") },
    }),
    startOllamaServer({ models: { "qwen2.5:7b": { text: answer("Qwen's") }, "llama3.2:1b": { text: answer("Llama's") }, "nomic-embed-text": {} } }),
    startOllamaServer({ models: { "llama3.2:1b": { text: answer("Llama's") } } }),
  ]);
  temp = makeTempDir();
});
afterAll(async () => {
  await Promise.all([openai, ollama, lonelyOllama].map((server) => server?.close()));
  temp?.remove();
});

const config = (proposers: string[]) => temp.json(`${proposers.join("-")}.json`, {
  proposers: proposers.map((name) => openaiModel(openai.url, name)),
  aggregator: openaiModel(openai.url, "writer"),
  retry: false,
});

describe.concurrent("piped input", () => {
  it("answers one question per line on stdout, with the conversation's memory, and nothing else there", async () => {
    const run = await runPiped(["--config", config(["alpha"])], "What is MoA?\n\nExplain it to a child.\n", cleanEnv());
    expect(run.stdout, run.stderr).toBe("The answer to What is MoA?\nThe answer to Explain it to a child.\n");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const second = openai.requests.filter((r) => r.model === "writer" && lastUserText(r) === "Explain it to a child.");
    expect(dialogue(second[0])).toEqual(["user: What is MoA?", "assistant: The answer to What is MoA?", askedWithReferences("Explain it to a child.", ["Alpha proposes."])]);
  }, 90_000);

  it("reports a failed turn on stderr with each model's cause once, without colours, and exits 1", async () => {
    const run = await runPiped(["--config", config(["broken"])], "Will this work?\n", cleanEnv());
    expect(run.stdout, run.stderr).toBe("");
    expect(run.stderr).toBe([
      "moa: the turn failed: Layer 1: 0 proposal(s) succeeded, at least 1 required (minProposals).",
      "moa:   - openai:broken: 500 The server had an error while processing your request (scripted 500 for broken).",
      "",
    ].join("\n"));
    expect(run.stderr).not.toContain(ESCAPE);
    expect(run.stderr).not.toMatch(STACK_LINE);
    expect(run.code).toBe(1);
  }, 90_000);

  it("says proposers of a layer that failed alike once, and still answers", async () => {
    const file = temp.json("three-broken.json", {
      proposers: [{ ...(openaiModel(openai.url, "broken") as object), samples: 3 }, openaiModel(openai.url, "alpha")],
      aggregator: openaiModel(openai.url, "writer"),
      retry: false,
    });
    const run = await runPiped(["--config", file], "Anyone broken?\n", cleanEnv());
    expect(run.stdout, run.stderr).toBe("The answer to Anyone broken?\n");
    expect(run.stderr).toBe("moa: layer 1: openai:broken ×3 failed: 500 The server had an error while processing your request (scripted 500 for broken).\n");
    expect(run.code).toBe(0);
  }, 90_000);

  it("says a refused key once a turn, whole, and calls that proposer in no later layer of the turn; the next turn calls it again", async () => {
    const file = temp.json("locked.json", { proposers: [openaiModel(openai.url, "alpha"), openaiModel(openai.url, "locked")], aggregator: openaiModel(openai.url, "writer"), layers: 3, retry: false });
    const run = await runPiped(["--config", file], "Key?\nStill?\n", cleanEnv());
    expect(run.stdout, run.stderr).toBe("The answer to Key?\nThe answer to Still?\n");
    const said = 'moa: layer 1: openai:locked failed: the server refused the API key (HTTP 401); set OPENAI_API_KEY';
    expect(run.stderr).toBe(`${said}\n${said}\n`);
    expect(run.stderr).not.toContain("sk-test-key");
    for (const question of ["Key?", "Still?"]) expect(openai.requests.filter((r) => r.model === "locked" && lastUserText(r) === question)).toHaveLength(1);
    expect(run.code).toBe(0);
  }, 90_000);

  it("with three default models and a server that is down, says so once before any question and exits 1", async () => {
    const port = await closedPort();
    const env = cleanEnv({ OPENAI_API_KEY: "sk-default-secret", OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
    const run = await runPiped([], "Anyone there?\n", env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe([
      "No model can be used, so the conversation cannot start:",
      `  - 2 models (openai:gpt-4o-mini, openai:gpt-4o): cannot reach http://127.0.0.1:${port}/v1 (ECONNREFUSED); check that the server runs, or set OPENAI_BASE_URL`,
      "Fix that, or choose other models with --proposers and --aggregator, or --config (--help lists every option).",
      "",
    ].join("\n"));
  }, 90_000);

  it("with every key missing, names the variables to set before any question and exits 1", async () => {
    const run = await runPiped(["--proposers", "openai:gpt-4o-mini,google-genai:gemini-2.0-flash", "--aggregator", "openai:gpt-4o"], "Hello?\n", cleanEnv());
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe([
      "No model can be used, so the conversation cannot start:",
      '  - 2 models (openai:gpt-4o-mini, openai:gpt-4o): no API key; set OPENAI_API_KEY, or give "apiKey" in the model\'s spec',
      '  - google-genai:gemini-2.0-flash: no API key; set GOOGLE_API_KEY or GEMINI_API_KEY, or give "apiKey" in the model\'s spec',
      "Fix that, or choose other models with --proposers and --aggregator, or --config (--help lists every option).",
      "",
    ].join("\n"));
  }, 90_000);

  it("leaves out a model an Ollama does not have, says which are used, and answers with the rest", async () => {
    const flags = ["--proposers", "ollama:mistral,ollama:llama3.2:1b", "--aggregator", "ollama:llama3.2:1b"];
    const run = await runPiped(flags, "Which of you?\n", cleanEnv({ OLLAMA_HOST: lonelyOllama.url }));
    expect(run.stderr).toBe([
      "Left out, as they cannot be used:",
      `  - ollama:mistral: the Ollama at ${lonelyOllama.url} does not have it; run "ollama pull mistral", or use one it has (closest first): llama3.2:1b`,
      "Going on with proposer ollama:llama3.2:1b and aggregator ollama:llama3.2:1b.",
      "",
    ].join("\n"));
    expect(run.stdout).toBe("Llama's answer to Which of you?\n");
    expect(lonelyOllama.requests.filter((r) => lastUserText(r) === "Which of you?").map((r) => r.model)).toEqual(["llama3.2:1b", "llama3.2:1b"]);
    expect(run.code).toBe(0);
  }, 90_000);

  it("leaves out a model name an OpenAI-compatible server does not list, naming the ones it lists closest first, and never asks it", async () => {
    const run = await runPiped(["--config", config(["alpha", "gpt-4o-mni"])], "Typo?\n", cleanEnv());
    expect(run.stderr).toBe([
      "Left out, as they cannot be used:",
      `  - openai:gpt-4o-mni: ${openai.url}/v1 does not list a model "gpt-4o-mni"; it lists (closest first): gpt-4o-mini, gpt-4o, broken, locked, alpha and 1 more`,
      "Going on with proposer openai:alpha and aggregator openai:writer.",
      "",
    ].join("\n"));
    expect(run.stdout, run.stderr).toBe("The answer to Typo?\n");
    expect(openai.requests.filter((r) => r.model === "gpt-4o-mni")).toEqual([]);
    expect(run.code).toBe(0);
  }, 90_000);

  it("with no flags, mixes the models a local Ollama serves (embedding models left out); the last by size, then name, aggregates", async () => {
    const run = await runPiped([], "Hello, Ollama?\n", cleanEnv({ OLLAMA_HOST: ollama.url }));
    expect(run.stderr).toBe("");
    expect(run.stdout, run.stderr).toBe("Qwen's answer to Hello, Ollama?\n");
    expect(ollama.requests.map((r) => r.model).sort()).toEqual(["llama3.2:1b", "qwen2.5:7b", "qwen2.5:7b"]);
  }, 90_000);

  it("with no flags and one Ollama model, samples it three times (Self-MoA)", async () => {
    const host = lonelyOllama.url.replace("http://", "");
    const run = await runPiped([], "Just you?\n", cleanEnv({ OLLAMA_HOST: host }));
    expect(run.stdout, run.stderr).toBe("Llama's answer to Just you?\n");
    expect(lonelyOllama.requests.filter((r) => lastUserText(r) === "Just you?").map((r) => r.model)).toEqual(["llama3.2:1b", "llama3.2:1b", "llama3.2:1b", "llama3.2:1b"]);
  }, 90_000);

  it("with no flags and OPENAI_API_KEY set, samples OpenAI's small model and aggregates with the large one", async () => {
    const env = cleanEnv({ OPENAI_API_KEY: "sk-from-env", OPENAI_BASE_URL: `${openai.url}/v1` });
    const run = await runPiped([], "Which default?\n", env);
    expect(run.stdout, run.stderr).toBe("A default model's answer to Which default?\n");
    const requests = openai.requests.filter((r) => lastUserText(r) === "Which default?");
    expect(requests.map((r) => r.model).sort()).toEqual(["gpt-4o", "gpt-4o-mini", "gpt-4o-mini", "gpt-4o-mini"]);
    expect(requests.every((r) => r.headers.authorization === "Bearer sk-from-env")).toBe(true);
  }, 90_000);

  it("with nothing configured and nothing reachable, offers the embedded default and, piped without --yes, fetches nothing and exits non-zero", async () => {
    const models = makeTempDir();
    try {
      const run = await runPiped([], "Anyone?\n", cleanEnv({ OLLAMA_HOST: `127.0.0.1:${await closedPort()}`, MOA_MODELS_DIR: models.path }));
      expect(run.code).toBe(2);
      expect(run.stdout, run.stderr).toBe("");
      expect(run.stderr).toMatch(/^No models to talk to: no API key is set and no Ollama answered at http:\/\/127\.0\.0\.1:\d+ \(nothing is listening there\)\./);
      expect(run.stderr).toContain("run `npm run conversation -- --yes` to fetch the embedded default, Qwen2.5-0.5B-Instruct");
      expect(run.stderr).toContain("set OPENAI_API_KEY");
      expect(run.stderr).toContain("GOOGLE_API_KEY");
      expect(run.stderr).toContain("ollama serve");
      expect(run.stderr).toContain("--proposers");
      expect(run.stderr.trim().split("\n").length).toBeLessThanOrEqual(7);
      expect(run.stderr).not.toMatch(STACK_LINE);
      expect(readdirSync(models.path)).toEqual([]);
    } finally {
      models.remove();
    }
  }, 90_000);
});
