/**
 * The MoA driving the real @langchain/openai, @langchain/ollama and @langchain/google-genai clients over
 * HTTP against the local protocol servers of test/support (127.0.0.1 only).
 */
import { AIMessage, HumanMessage, SystemMessage, type AIMessageChunk } from "@langchain/core/messages";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { DEFAULT_AGGREGATOR_PROMPT, MixtureOfAgents, ProposersFailedError, createMixtureOfAgents, getMoATrace, type ModelInput } from "../../src/index.js";
import { expectedReferenceText } from "../support/conversation.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer, RecordedRequest } from "../support/protocol-server.js";

const ANSWERS = { openai: "OpenAI thinks so", ollama: "Llama agrees", gemini: "Gemini adds detail", aggregator: "the mixed final answer" };

let openai: ProtocolServer;
let ollama: ProtocolServer;
let gemini: ProtocolServer;
let vllm: ProtocolServer;

beforeAll(async () => {
  [openai, ollama, gemini, vllm] = await Promise.all([
    startOpenAIServer({ models: { "gpt-4o-mini": { text: ANSWERS.openai, usage: { input: 11, output: 3 } } } }),
    startOllamaServer({ models: { "llama3.1:8b": { text: ANSWERS.ollama, usage: { input: 13, output: 4 } } } }),
    startGeminiServer({ models: { "gemini-2.0-flash": { text: ANSWERS.gemini, usage: { input: 17, output: 5 } } } }),
    startOpenAIServer({ models: { "Qwen2-72B": { text: ANSWERS.aggregator, usage: { input: 19, output: 6 } } } }),
  ]);
});
afterAll(async () => {
  await Promise.all([openai, ollama, gemini, vllm].map((server) => server?.close()));
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const server of [openai, ollama, gemini, vllm]) server.requests.length = 0;
});

function models(): { proposers: ModelInput[]; aggregator: ModelInput } {
  return {
    proposers: [
      { model: "openai:gpt-4o-mini", apiKey: "sk-openai-test-key", baseURL: `${openai.url}/v1` },
      { model: "ollama:llama3.1:8b", baseUrl: ollama.url },
      { model: "google-genai:gemini-2.0-flash", apiKey: "gemini-test-key", baseUrl: gemini.url },
    ],
    aggregator: { model: "openai:Qwen2-72B", baseURL: `${vllm.url}/v1`, apiKey: "vllm-key" },
  };
}

const conversation = [new SystemMessage("Be concise."), new HumanMessage("What is MoA?"), new AIMessage("A method."), new HumanMessage("Explain more.")];
const history = [
  { role: "user", content: "What is MoA?" },
  { role: "assistant", content: "A method." },
  { role: "user", content: "Explain more." },
];
const withSystem = (system: string) => [{ role: "system", content: system }, ...history];
const references = expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, [ANSWERS.openai, ANSWERS.ollama, ANSWERS.gemini]);
const messagesOf = (requests: RecordedRequest[]) => requests.map((r) => r.messages);

describe("a two-layer MoA over OpenAI, Ollama and Gemini, aggregated on an OpenAI-compatible server", () => {
  it("each server sees exactly the requests of the algorithm; the answer streams; usage is the servers' sum", async () => {
    const moa = new MixtureOfAgents({ ...models(), layers: 2 });
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await moa.stream(conversation)) chunks.push(chunk);

    expect(chunks.map((c) => c.text)).toEqual(["the ", "mixed ", "final ", "answer", ""]);
    const answer = chunks.reduce((a, b) => a.concat(b));
    expect(answer.text).toBe(ANSWERS.aggregator);
    expect(answer.usage_metadata).toMatchObject({ input_tokens: 2 * (11 + 13 + 17) + 19, output_tokens: 2 * (3 + 4 + 5) + 6, total_tokens: 101 + 30 });

    const layer1 = withSystem("Be concise.");
    // The references at the end of the user's last message (the default referencePlacement).
    const layer2 = [...layer1.slice(0, -1), { role: "user", content: `Explain more.\n\n${references}` }];
    for (const server of [openai, ollama, gemini]) {
      expect(messagesOf(server.requests)).toEqual([layer1, layer2]);
    }
    expect(messagesOf(vllm.requests)).toEqual([layer2]);
    expect(vllm.requests[0]?.stream).toBe(true);
    expect(vllm.requests[0]?.body).toMatchObject({ model: "Qwen2-72B", stream_options: { include_usage: true } });
    expect(openai.requests.map((r) => r.headers.authorization)).toEqual(["Bearer sk-openai-test-key", "Bearer sk-openai-test-key"]);
    expect(gemini.requests[0]?.headers["x-goog-api-key"]).toBe("gemini-test-key");
    expect(getMoATrace(answer)?.layers.map((l) => l.calls.map((c) => [c.id, c.status, c.usage?.total_tokens]))).toEqual([
      [["openai:gpt-4o-mini", "ok", 14], ["ollama:llama3.1:8b", "ok", 17], ["google-genai:gemini-2.0-flash", "ok", 22]],
      [["openai:gpt-4o-mini", "ok", 14], ["ollama:llama3.1:8b", "ok", 17], ["google-genai:gemini-2.0-flash", "ok", 22]],
    ]);
  });

  it("the graph's messages stream carries the aggregator's tokens from the real client", async () => {
    const graph = createMixtureOfAgents({ ...models(), layers: 1 });
    const tokens: string[] = [];
    for await (const [chunk, meta] of await graph.stream({ messages: conversation }, { streamMode: "messages" })) {
      if (meta.moa_role === "aggregator") tokens.push(chunk.text);
    }
    expect(tokens.join("")).toBe(ANSWERS.aggregator);
    expect(tokens.length).toBeGreaterThan(1);
  });

  it("the environment supplies keys and hosts: OPENAI_API_KEY, OPENAI_BASE_URL, OLLAMA_HOST, GOOGLE_API_KEY", async () => {
    vi.stubEnv("OPENAI_API_KEY", "sk-from-env-key");
    vi.stubEnv("OPENAI_BASE_URL", `${openai.url}/v1`);
    vi.stubEnv("OLLAMA_HOST", ollama.url);
    vi.stubEnv("GOOGLE_API_KEY", "google-env-key");
    try {
      const graph = createMixtureOfAgents({
        proposers: ["openai:gpt-4o-mini", "ollama:llama3.1:8b", { model: "google-genai:gemini-2.0-flash", baseUrl: gemini.url }],
        aggregator: "openai:gpt-4o-mini",
      });
      const state = await graph.invoke({ messages: [new HumanMessage("hi")] });
      expect(state.messages.at(-1)?.text).toBe(ANSWERS.openai);
      expect(openai.requests.map((r) => r.headers.authorization)).toEqual(["Bearer sk-from-env-key", "Bearer sk-from-env-key"]);
      expect(ollama.requests).toHaveLength(1);
      expect(gemini.requests[0]?.headers["x-goog-api-key"]).toBe("google-env-key");
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("every provider works as the aggregator, streamed token by token", () => {
  it.each([
    ["ollama", () => ({ model: "ollama:llama3.1:8b", baseUrl: ollama.url }), ANSWERS.ollama],
    ["gemini", () => ({ model: "google-genai:gemini-2.0-flash", apiKey: "gemini-test-key", baseUrl: gemini.url }), ANSWERS.gemini],
    ["openai", () => ({ model: "openai:gpt-4o-mini", apiKey: "sk-openai-test-key", baseURL: `${openai.url}/v1` }), ANSWERS.openai],
  ] as const)("%s", async (_name, aggregator, text) => {
    const moa = new MixtureOfAgents({ proposers: models().proposers, aggregator: aggregator() });
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await moa.stream(conversation)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    expect(chunks.map((c) => c.text).join("")).toBe(text);
  });
});

describe("API keys stay out of errors, traces and logs", () => {
  it("a provider error that quotes the key is masked in the trace, showInternal output and the thrown error", async () => {
    const key = "sk-very-secret-key-0123456789";
    openai.setScript("gpt-4o-mini", { text: (request) => { throw new Error(`key ${request.headers.authorization} refused`); } });
    ollama.setScript("llama3.1:8b", { fault: { kind: "status", status: 500 } });
    const printed: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void printed.push(args.map(String).join(" ")));
    }
    try {
      const moa = new MixtureOfAgents({
        proposers: [
          { model: "openai:gpt-4o-mini", apiKey: key, baseURL: `${openai.url}/v1`, params: { maxRetries: 0 } },
          { model: "ollama:llama3.1:8b", baseUrl: ollama.url },
        ],
        aggregator: models().aggregator,
        minProposals: 2,
        showInternal: true,
      });
      const error = await moa.invoke("q").catch((e: unknown) => e);

      expect(ProposersFailedError.isInstance(error)).toBe(true);
      const failure = error as ProposersFailedError;
      expect(openai.requests[0]?.headers.authorization).toBe(`Bearer ${key}`);
      const everything = [failure.message, String(failure.stack), ...failure.failures.map((f) => `${f.error.message} ${String(f.error.stack)}`), ...printed].join("\n");
      expect(everything).toContain("openai:gpt-4o-mini (provider openai)");
      expect(everything).toContain("[redacted]");
      expect(everything).not.toContain(key);
      expect(everything).not.toContain("very-secret");
      expect(printed.some((line) => line.startsWith("[MoA layer 1 · openai:gpt-4o-mini"))).toBe(true);
    } finally {
      openai.setScript("gpt-4o-mini", { text: ANSWERS.openai, usage: { input: 11, output: 3 } });
      ollama.setScript("llama3.1:8b", { text: ANSWERS.ollama, usage: { input: 13, output: 4 } });
    }
  });

  it("an unreachable Ollama host names the model, the host and the variable to set", async () => {
    const graph = createMixtureOfAgents({
      proposers: [{ model: "ollama:llama3.1:8b", baseUrl: "http://127.0.0.1:9" }],
      aggregator: models().aggregator,
    });
    const error = await graph.invoke({ messages: [new HumanMessage("q")] }).catch((e: unknown) => e);
    expect(ProposersFailedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/ollama:llama3\.1:8b \(provider ollama\): cannot reach http:\/\/127\.0\.0\.1:9 .*set OLLAMA_HOST/);
  });
});
