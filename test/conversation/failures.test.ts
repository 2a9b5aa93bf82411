/**
 * How the conversation example words what cannot work: causes shared by several models said once, text
 * wrapped between words, and each model's check at start-up (a server down, slow, refusing the key).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { MoAConfigError, PROPOSAL_EVENT, ProposersFailedError, type ProposalEvent } from "../../src/index.js";
import { createStyle } from "../../examples/conversation/ansi.js";
import { askHost } from "../../examples/conversation/host-probe.js";
import { LayerFailures } from "../../examples/conversation/layer-failures.js";
import { checkModel } from "../../examples/conversation/model-check.js";
import { causeOf, groupLine, groupProblems } from "../../examples/conversation/model-problems.js";
import { checkAtStart } from "../../examples/conversation/start-up-check.js";
import { TerminalTurnView } from "../../examples/conversation/terminal-turn-view.js";
import { describeTurnFailure, failureLines } from "../../examples/conversation/turn-failure.js";
import { wrapIndented } from "../../examples/conversation/wrap.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import { closedPort } from "./support/closed-port.js";

describe("causes shared by several models", () => {
  it("are grouped once, samples of one model counted, the model's own words left out", () => {
    const cause = (id: string) => `${id.replace(/#\d$/, "")} (provider ollama): cannot reach http://127.0.0.1:11434 (TypeError: fetch failed); check that the server runs, or set OLLAMA_HOST or { model: "${id.replace(/#\d$/, "")}", baseURL: "…" }`;
    const ids = ["ollama:llama3.2", "ollama:qwen2.5#1", "ollama:qwen2.5#2", "ollama:mistral"];
    const groups = groupProblems(ids.map((id) => ({ model: id, cause: causeOf(cause(id), id, "ECONNREFUSED") })));
    expect(groups.map((group) => groupLine(group))).toEqual([
      "3 models (ollama:llama3.2, ollama:qwen2.5 ×2, ollama:mistral): cannot reach http://127.0.0.1:11434 (ECONNREFUSED); check that the server runs, or set OLLAMA_HOST",
    ]);
    expect(groupLine({ models: ["openai:x#1", "openai:x#2", "openai:x#3"], cause: "boom" }, "failed")).toBe("openai:x ×3 failed: boom");
  });

  it("keep a cause without a known connection code in the library's words, and different causes apart", () => {
    const groups = groupProblems([
      { model: "a", cause: causeOf("a: 500 Internal error", "a") },
      { model: "b", cause: causeOf("b (provider openai): 401 Unauthorized", "b", "invalid_api_key") },
      { model: "c", cause: causeOf("c: 500 Internal error", "c") },
    ]);
    expect(groups).toEqual([{ models: ["a", "c"], cause: "500 Internal error" }, { models: ["b"], cause: "401 Unauthorized" }]);
  });

  it("end a turn as a headline and one bullet per cause (from the error's failures, not its long message)", () => {
    const failed = (id: string) => ({ id, layer: 1, error: Object.assign(new Error(`openai:gpt-4o-mini (provider openai): cannot reach http://127.0.0.1:8000/v1 (Connection error.); check that the server runs, or set OPENAI_BASE_URL or { model: "openai:gpt-4o-mini", baseURL: "…" }`), { code: "ECONNREFUSED" }) });
    const error = new ProposersFailedError(1, 0, 1, ["openai:gpt-4o-mini#1", "openai:gpt-4o-mini#2", "openai:gpt-4o-mini#3"].map(failed));
    const failure = describeTurnFailure(error);
    expect(failure.layer).toBe(1);
    expect(failureLines(failure, Infinity, "✗ The turn failed: ", "  ")).toEqual([
      "✗ The turn failed: Layer 1: 0 proposal(s) succeeded, at least 1 required (minProposals).",
      "  - openai:gpt-4o-mini ×3: cannot reach http://127.0.0.1:8000/v1 (ECONNREFUSED); check that the server runs, or set OPENAI_BASE_URL",
    ]);
  });

  it("read models that cannot be created from the library's list, one bullet per cause", () => {
    const error = new MoAConfigError("models", [
      "2 models cannot be used:",
      'Invalid proposers[0]: model "openai:gpt-4o-mini" (provider openai) has no API key: set OPENAI_API_KEY, or give { model: "openai:gpt-4o-mini", apiKey: "…" }',
      'Invalid aggregator: model "openai:gpt-4o" (provider openai) has no API key: set OPENAI_API_KEY, or give { model: "openai:gpt-4o", apiKey: "…" }',
    ].join("\n- "));
    expect(failureLines(describeTurnFailure(error), Infinity, "", "  ")).toEqual([
      "2 models cannot be used:",
      "  - 2 models (openai:gpt-4o-mini, openai:gpt-4o): no API key: set OPENAI_API_KEY",
    ]);
  });
});

describe("wrapped text", () => {
  it("breaks between words under a hanging indent, never inside a word that fits a line", () => {
    const text = "cannot reach http://127.0.0.1:11434/v1 (ECONNREFUSED); check that the server runs, or set OPENAI_BASE_URL";
    const lines = wrapIndented(text, 40, "  - ", "    ");
    expect(lines).toEqual([
      "  - cannot reach",
      "    http://127.0.0.1:11434/v1",
      "    (ECONNREFUSED); check that the",
      "    server runs, or set OPENAI_BASE_URL",
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(40);
    expect(wrapIndented(text, Infinity, "moa: ")).toEqual([`moa: ${text}`]);
  });

  it("of a failed turn in the terminal: wrapped to its width, and models never called not shown as failed", () => {
    const written: string[] = [];
    const out = { columns: 50, write: (text: string) => written.push(text) };
    const view = new TerminalTurnView(out, createStyle({ isTTY: false }), { proposerIds: ["openai:a", "openai:b"], aggregator: "openai:c", layers: 1, minProposals: 1 }, false);
    view.start();
    const error = new MoAConfigError("models", '2 models cannot be used:\n- Invalid proposers[0]: model "openai:a" (provider openai) has no API key: set OPENAI_API_KEY, or give { model: "openai:a", apiKey: "…" }\n- Invalid proposers[1]: model "openai:b" (provider openai) has no API key: set OPENAI_API_KEY, or give { model: "openai:b", apiKey: "…" }');
    view.end({ kind: "failed", error, elapsedMs: 5 });
    expect(screenOf(written.join(""))).toBe([
      "  ✗ The turn failed: 2 models cannot be used:",
      "    - 2 models (openai:a, openai:b): no API key:",
      "      set OPENAI_API_KEY",
      "    The question was not added to the",
      "    conversation; send it again.",
      "",
    ].join("\n"));
  });
});

describe("a proposer that failed for good in layer 1", () => {
  const gone = "openai:gone (provider openai): 404 The model `gone` does not exist or you do not have access to it; check the model's name (GET http://127.0.0.1:8000/v1/models lists the models the server has)";
  const error = { name: "NotFoundError", message: gone, kind: "unknown_model" as const, status: 404, code: "model_not_found" };
  const event = (index: number, id: string, layer: number, outcome: Partial<ProposalEvent>): ProposalEvent =>
    ({ event: PROPOSAL_EVENT, id, model: id, index, layer, startedAt: 0, endedAt: 100, ...outcome });
  const layers = [
    [event(0, "openai:alpha", 1, { text: "A." }), event(1, "openai:gone", 1, { error }), event(2, "openai:tiring", 1, { text: "T." })],
    [event(0, "openai:alpha", 2, { text: "A2." }), event(1, "openai:gone", 2, { error, attempts: 0, endedAt: 0 }), event(2, "openai:tiring", 2, { error: { name: "MoATimeoutError", message: "openai:tiring: timed out after 1000 ms", kind: "timeout" } })],
  ];

  it("is said whole under layer 1, shown as not called in layer 2, and not repeated under the turn's failure", () => {
    const written: string[] = [];
    const out = { columns: 72, write: (text: string) => written.push(text) };
    const view = new TerminalTurnView(out, createStyle({ isTTY: false }), { proposerIds: ["openai:alpha", "openai:gone", "openai:tiring"], aggregator: "openai:w", layers: 2, minProposals: 2 }, false);
    view.start();
    for (const proposal of layers.flat()) view.proposal(proposal);
    const failures = [{ id: "openai:gone", layer: 2, error: new Error(gone) }, { id: "openai:tiring", layer: 2, error: new Error("openai:tiring: timed out after 1000 ms") }];
    view.end({ kind: "failed", error: new ProposersFailedError(2, 1, 2, failures), elapsedMs: 5 });
    expect(screenOf(written.join("")).replace(/ +$/gm, "")).toBe([
      "  layer 1 ✓ openai:alpha   done in 0.1 s",
      "          ✗ openai:gone    failed after 0.1 s",
      "          ✓ openai:tiring  done in 0.1 s",
      "  ✗ openai:gone failed: 404 The model `gone` does not exist or you do",
      "    not have access to it; check the model's name (GET",
      "    http://127.0.0.1:8000/v1/models lists the models the server has)",
      "  layer 2 ✓ openai:alpha   done in 0.1 s",
      "          ✗ openai:gone    not called: failed in layer 1",
      "          ✗ openai:tiring  failed after 0.1 s",
      "  ✗ The turn failed: Layer 2: 1 proposal(s) succeeded, at least 2",
      "    required (minProposals).",
      "    - openai:gone: as said above",
      "    - openai:tiring: timed out after 1000 ms",
      "    The question was not added to the conversation; send it again.",
      "",
    ].join("\n"));
  });

  it("piped: is said once, in layer 1's words", () => {
    const said: string[] = [];
    const failures = new LayerFailures((layer, groups) => said.push(...groups.map((group) => `layer ${layer}: ${groupLine(group, "failed")}`)));
    for (const proposal of layers.flat()) failures.add(proposal);
    failures.flush();
    expect(said).toEqual([
      `layer 1: openai:gone failed: ${gone.replace("openai:gone (provider openai): ", "")}`,
      "layer 2: openai:tiring failed: timed out after 1000 ms",
    ]);
  });
});

describe("a model's check at start-up", () => {
  let port: number;
  let servers: Server[] = [];
  const serve = async (handler: Parameters<typeof createServer>[1]) => {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  beforeAll(async () => {
    port = await closedPort();
  });
  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    servers = [];
  });
  afterEach(() => vi.unstubAllEnvs());
  const ask = (timeoutMs: number) => (request: Parameters<typeof askHost>[0]) => askHost(request, timeoutMs);

  it("finds a server that is down, with the system's reason", async () => {
    const verdict = await checkModel({ model: "openai:m", baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "sk-check-secret" }, "proposers[0]", {}, ask(2000));
    expect(verdict).toEqual({ usable: false, cause: `cannot reach http://127.0.0.1:${port}/v1 (ECONNREFUSED); check that the server runs, and the model's baseURL` });
  });

  it("finds a refused key, sending the key only to the model's own server", async () => {
    let authorization: string | undefined;
    const url = await serve((request, response) => {
      authorization = request.headers.authorization;
      response.writeHead(401, { "content-type": "application/json" }).end('{"error":{"message":"bad key"}}');
    });
    // The library creates the model from the process's environment, as the example runs.
    vi.stubEnv("OPENAI_API_KEY", "sk-check-secret");
    vi.stubEnv("OPENAI_BASE_URL", `${url}/v1`);
    const verdict = await checkModel("openai:m", "proposers[0]", process.env, ask(2000));
    expect(verdict).toEqual({ usable: false, cause: `${url}/v1 refused the API key (HTTP 401); check OPENAI_API_KEY` });
    expect(authorization).toBe("Bearer sk-check-secret");
  });

  it("does not hold a slow server against the model, but says so", async () => {
    const url = await serve(() => undefined);
    const verdict = await checkModel({ model: "ollama:llama3.2", baseUrl: url }, "proposers[0]", {}, ask(200));
    expect(verdict).toEqual({ usable: true, caveat: `${url} did not answer within 0.2 s; trying it anyway` });
  });

  it("accepts a model an Ollama lists with its default tag, and a server without a model list", async () => {
    const ollama = await serve((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end('{"models":[{"name":"llama3.2:latest"}]}'));
    expect(await checkModel({ model: "ollama:llama3.2", baseUrl: ollama }, "proposers[0]", {}, ask(2000))).toEqual({ usable: true });
    const bare = await serve((_request, response) => response.writeHead(404).end("no such route"));
    expect(await checkModel({ model: "openai:local", baseURL: `${bare}/v1` }, "proposers[0]", {}, ask(2000))).toEqual({ usable: true });
  });

  it("finds a name Gemini does not list, naming the ones it does closest first, and asks for the whole list", async () => {
    const gemini = await startGeminiServer({ models: { "gemini-2.0-flash": {}, "gemini-2.0-flash-lite": {}, "gemini-1.5-pro": {}, "text-embedding-004": {} } });
    try {
      const spec = (model: string) => ({ model: `google-genai:${model}`, apiKey: "gemini-check-secret", baseUrl: gemini.url });
      expect(await checkModel(spec("gemini-2.0-flash"), "proposers[0]", {}, ask(2000))).toEqual({ usable: true });
      expect(await checkModel(spec("models/gemini-1.5-pro"), "proposers[0]", {}, ask(2000))).toEqual({ usable: true });
      expect(await checkModel(spec("gemini-2.0-flsh"), "proposers[0]", {}, ask(2000))).toEqual({
        usable: false,
        cause: `${gemini.url} does not list a model "gemini-2.0-flsh"; it lists (closest first): gemini-2.0-flash, gemini-2.0-flash-lite, gemini-1.5-pro, text-embedding-004`,
      });
    } finally {
      await gemini.close();
    }
    const asked: string[] = [];
    const paged = await serve((request, response) => {
      asked.push(request.url ?? "");
      response.writeHead(200, { "content-type": "application/json" }).end('{"models":[{"name":"models/gemini-2.0-flash"}],"nextPageToken":"page-2"}');
    });
    // Only a first page: a name not on it may be on the next.
    expect(await checkModel({ model: "google-genai:gemini-exp", apiKey: "k", baseUrl: paged }, "proposers[0]", {}, ask(2000))).toEqual({ usable: true });
    expect(asked).toEqual(["/v1beta/models?pageSize=1000"]);
  });

  it("names an Ollama's models closest first when it lacks the one asked for, and holds an empty list against no server but Ollama", async () => {
    const ollama = await startOllamaServer({ models: { "llama3.2:1b": {}, "qwen2.5:7b": {}, "llama3.1:8b": {} } });
    const empty = await startOpenAIServer({ models: {}, fallback: { text: "any name answers" } });
    try {
      expect(await checkModel({ model: "ollama:llama3.1", baseUrl: ollama.url }, "proposers[0]", {}, ask(2000))).toEqual({
        usable: false,
        cause: `the Ollama at ${ollama.url} does not have it; run "ollama pull llama3.1", or use one it has (closest first): llama3.1:8b, llama3.2:1b, qwen2.5:7b`,
      });
      expect(await checkModel({ model: "openai:anything", baseURL: `${empty.url}/v1`, apiKey: "k" }, "proposers[0]", {}, ask(2000))).toEqual({ usable: true });
      const bare = await serve((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end('{"models":[]}'));
      expect(await checkModel({ model: "ollama:llama3.2", baseUrl: bare }, "proposers[0]", {}, ask(2000))).toEqual({
        usable: false,
        cause: `the Ollama at ${bare} does not have it; run "ollama pull llama3.2"`,
      });
    } finally {
      await Promise.all([ollama.close(), empty.close()]);
    }
  });
});

const ESC = String.fromCharCode(0x1b);
const CONTROLS = new RegExp(`(${ESC}\\[\\d*A|\\r${ESC}\\[J|${ESC}\\[\\?25[lh]|\\n)`);
const CURSOR_UP = new RegExp(`^${ESC}\\[(\\d*)A$`);

describe("the start-up check", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("stops with exit code 1 when no aggregator can answer, naming the models that could", async () => {
    const ollama = createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end('{"models":[{"name":"llama3.2:latest"}]}'));
    await new Promise<void>((resolve) => ollama.listen(0, "127.0.0.1", resolve));
    try {
      for (const name of ["OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE"]) vi.stubEnv(name, "");
      const url = `http://127.0.0.1:${(ollama.address() as AddressInfo).port}`;
      const settings = { moa: { proposers: [{ model: "ollama:llama3.2", baseUrl: url }], aggregator: "openai:gpt-4o" }, showInternal: false, source: "flags" };
      const check = checkAtStart(settings, process.env, Infinity);
      await expect(check).rejects.toMatchObject({
        name: "UsageError",
        exitCode: 1,
        message: [
          "No aggregator can be used, so no answer could be written:",
          '  - openai:gpt-4o: no API key; set OPENAI_API_KEY, or give "apiKey" in the model\'s spec',
          "These can be used: proposer ollama:llama3.2.",
          "Fix that, or choose other models with --proposers and --aggregator, or --config (--help lists every option).",
        ].join("\n"),
      });
    } finally {
      ollama.closeAllConnections();
      await new Promise((resolve) => ollama.close(resolve));
    }
  });
});

/** What a terminal shows after `written`: cursor-up and erase-below sequences applied, cursor toggles dropped. */
function screenOf(written: string): string {
  const lines = [""];
  let row = 0;
  for (const token of written.split(CONTROLS)) {
    const up = CURSOR_UP.exec(token);
    if (token === "" || token.startsWith(`${ESC}[?25`)) continue;
    if (up) row = Math.max(0, row - Number(up[1] || 1));
    else if (token === `\r${ESC}[J`) lines.splice(row, lines.length - row, "");
    else if (token === "\n") {
      row += 1;
      if (lines.length <= row) lines.push("");
    } else lines[row] = `${lines[row] ?? ""}${token}`;
  }
  return lines.join("\n");
}
