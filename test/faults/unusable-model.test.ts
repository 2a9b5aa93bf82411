/**
 * A proposer whose call failed with an error another call would only repeat (the server does not have
 * the model: HTTP 404; it refused the key: HTTP 401/403) is not called again in the turn's later layers:
 * its later proposals fail with the same error, without a request, and count as failed. The next turn
 * calls it again. Over loopback HTTP, through the real OpenAI, Ollama and Gemini clients.
 */
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  PROPOSAL_EVENT,
  ProposersFailedError,
  createMixtureOfAgents,
  type MixtureOfAgentsOptions,
  type ModelInput,
  type MoATrace,
  type ProposalEvent,
} from "../../src/index.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

let openai: ProtocolServer;
let ollama: ProtocolServer;
let gemini: ProtocolServer;

beforeAll(async () => {
  // No fallback: a model that is not scripted gets each provider's own 404.
  [openai, ollama, gemini] = await Promise.all([startOpenAIServer({ models: {} }), startOllamaServer({ models: {} }), startGeminiServer({ models: {} })]);
});
afterAll(async () => {
  await Promise.all([openai, ollama, gemini].map((server) => server?.close()));
});
beforeEach(() => {
  for (const server of [openai, ollama, gemini]) {
    server.requests.length = 0;
    for (const name of ["fine", "other", "writer"]) server.setScript(name, { text: `${name} answer` });
  }
});

const onOpenAI = (model: string): ModelInput => ({ model: `openai:${model}`, apiKey: "sk-test-key", baseURL: `${openai.url}/v1` });
const onOllama = (model: string): ModelInput => ({ model: `ollama:${model}`, baseUrl: ollama.url });
const onGemini = (model: string): ModelInput => ({ model: `google-genai:${model}`, apiKey: "test-key", baseUrl: gemini.url });

const question = (text: string) => ({ messages: [new HumanMessage(text)] });
const requestsFor = (server: ProtocolServer, model: string) => server.requests.filter((r) => r.model === model).length;

function graph(options: Partial<MixtureOfAgentsOptions> & Pick<MixtureOfAgentsOptions, "proposers">) {
  return createMixtureOfAgents({ aggregator: onOpenAI("writer"), retry: { maxRetries: 1, initialDelayMs: 1, maxDelayMs: 20 }, ...options });
}

describe("a proposer whose model the server does not have (HTTP 404)", () => {
  it("is asked once in a 2-layer turn, its layer-2 proposal failed with the same error and skipped in the trace; the next turn asks it again", async () => {
    const moa = graph({ proposers: [onOpenAI("fine"), onOpenAI("gpt-4o-mni")], layers: 2, checkpointer: new MemorySaver() });
    const thread = { configurable: { thread_id: "typo" } };
    const events: ProposalEvent[] = [];
    for await (const chunk of await moa.stream(question("Why is the sky blue?"), { ...thread, streamMode: "custom" })) {
      if ((chunk as ProposalEvent).event === PROPOSAL_EVENT) events.push(chunk as ProposalEvent);
    }
    expect(requestsFor(openai, "gpt-4o-mni")).toBe(1);
    expect(requestsFor(openai, "fine")).toBe(2);

    const [layer1, layer2] = events.filter((event) => event.id === "openai:gpt-4o-mni").sort((a, b) => a.layer - b.layer);
    expect(layer1?.error).toMatchObject({ kind: "unknown_model", status: 404, code: "model_not_found" });
    expect(layer1?.error?.message).toBe(
      `openai:gpt-4o-mni (provider openai): 404 The model \`gpt-4o-mni\` does not exist or you do not have access to it; check the model's name (GET ${openai.url}/v1/models lists the models the server has)`,
    );
    expect(layer2).toMatchObject({ layer: 2, attempts: 0, error: layer1?.error });
    expect(layer2?.text).toBeUndefined();

    const { trace } = (await moa.getState(thread)).values as { trace: MoATrace };
    const missing = trace.layers.map((layer) => layer.calls.find((call) => call.id === "openai:gpt-4o-mni"));
    expect(missing.map((call) => [call?.status, call?.skipped])).toEqual([
      ["failed", undefined],
      ["failed", "not called: in layer 1 of this turn the server does not have the model, which another call would only repeat"],
    ]);
    expect(missing[1]?.error).toBe(missing[0]?.error);
    // fine ×2, the one request that failed, the aggregator: the skipped call is not a call.
    expect(trace.calls).toBe(4);

    await moa.invoke(question("And at sunset?"), thread);
    expect(requestsFor(openai, "gpt-4o-mni")).toBe(2);
  });

  it.each([
    ["ollama", () => ollama, onOllama, "ollama:llama3.9", "llama3.9"],
    ["gemini", () => gemini, onGemini, "google-genai:gemini-9-flash", "gemini-9-flash"],
  ] as const)("%s: asked once in a 3-layer turn, its fix in the error", async (name, server, on, id, model) => {
    const state = await graph({ proposers: [on(model), onOpenAI("fine")], layers: 3 }).invoke(question("Which of you?"));
    expect(requestsFor(server(), model)).toBe(1);
    const calls = state.trace.layers.map((layer) => layer.calls.find((call) => call.id === id));
    expect(calls.map((call) => [call?.status, call?.skipped === undefined])).toEqual([["failed", true], ["failed", false], ["failed", false]]);
    expect(calls[2]?.skipped).toMatch(/^not called: in layer 1 of this turn/);
    const message = state.proposals.find((p) => p.id === id)?.error?.message;
    expect(message).toMatch(name === "ollama" ? /run "ollama pull llama3\.9"$/ : new RegExp(`has no chat model "gemini-9-flash" \\(HTTP 404\\); check the model's name \\(GET ${gemini.url}/v1beta/models lists`));
  });
});

describe("other errors", () => {
  it("a refused key (HTTP 401, and 403) is not asked again in the turn either; a server error (HTTP 500) is asked in every layer", async () => {
    openai.setScript("locked", { fault: { kind: "status", status: 401 } });
    openai.setScript("forbidden", { fault: { kind: "status", status: 403 } });
    openai.setScript("shaky", { fault: { kind: "status", status: 500 } });
    const state = await graph({ proposers: [onOpenAI("locked"), onOpenAI("forbidden"), onOpenAI("shaky"), onOpenAI("fine")], layers: 3, retry: false }).invoke(question("Who may ask?"));
    expect([requestsFor(openai, "locked"), requestsFor(openai, "forbidden"), requestsFor(openai, "shaky"), requestsFor(openai, "fine")]).toEqual([1, 1, 3, 3]);
    const layer3 = state.trace.layers[2]?.calls ?? [];
    expect(layer3.map((call) => [call.id, call.status, call.skipped?.replace(/,.*/, "")])).toEqual([
      ["openai:locked", "failed", "not called: in layer 1 of this turn its key was refused"],
      ["openai:forbidden", "failed", "not called: in layer 1 of this turn its key was refused"],
      ["openai:shaky", "failed", undefined],
      ["openai:fine", "ok", undefined],
    ]);
    expect(state.proposals.filter((p) => p.id === "openai:locked").map((p) => p.error?.message)).toEqual(Array(3).fill(
      'openai:locked (provider openai): the server refused the API key (HTTP 401); set OPENAI_API_KEY, or give { model: "openai:locked", apiKey: "…" }',
    ));
  });

  it("a skipped proposer counts as failed: a later layer short of minProposals fails, naming its cause with the others", async () => {
    let calls = 0;
    // Answers at once in layer 1, and too late in layer 2.
    openai.setScript("tiring", { text: "tiring answer", latencyMs: () => (++calls === 1 ? 0 : 5_000) });
    const moa = graph({ proposers: [onOpenAI("fine"), onOpenAI("gone"), onOpenAI("tiring")], layers: 2, minProposals: 2, retry: false, timeouts: { proposerMs: 1_000 } });
    const error = await moa.invoke(question("Enough of you?")).catch((e: unknown) => e);
    expect(ProposersFailedError.isInstance(error)).toBe(true);
    const failed = error as ProposersFailedError;
    expect(failed.layer).toBe(2);
    expect(failed.failures.map((failure) => [failure.id, failure.kind])).toEqual([["openai:gone", "unknown_model"], ["openai:tiring", "timeout"]]);
    expect(failed.message).toMatch(/^Layer 2: 1 proposal\(s\) succeeded, at least 2 required \(minProposals\)\./);
    expect(requestsFor(openai, "gone")).toBe(1);
  });

  it("with a quorum, a skipped proposer does not hold its layer up", async () => {
    openai.setScript("slow", { text: "slow answer", latencyMs: 30_000 });
    const started = Date.now();
    const state = await graph({ proposers: [onOpenAI("fine"), onOpenAI("absent"), onOpenAI("slow")], layers: 2, quorum: { min: 1, graceMs: 50 } }).invoke(question("Who is quick?"));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(requestsFor(openai, "absent")).toBe(1);
    expect(state.trace.layers[1]?.calls.map((call) => call.status)).toEqual(["ok", "failed", "straggler"]);
  });
});
