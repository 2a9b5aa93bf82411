import { HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MoAConfigError, createMixtureOfAgents } from "../src/index.js";
import { explainCallError } from "../src/models/explain-call-error.js";
import { signalAwareFetch } from "../src/models/call-signal.js";
import { resolveConnection } from "../src/models/providers.js";
import { redactSecrets } from "../src/models/redact-secrets.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

afterEach(() => vi.unstubAllEnvs());

describe("resolveConnection maps a spec to each provider's constructor fields", () => {
  it("openai: key and base URL per model; maxTokens stays maxTokens", () => {
    const c = resolveConnection("openai", { model: "openai:Qwen2-72B", apiKey: "k-1", baseURL: "http://127.0.0.1:8000/v1", maxTokens: 64, temperature: 0.2 }, {});
    expect(c.fields).toEqual({ maxRetries: 0, apiKey: "k-1", configuration: { baseURL: "http://127.0.0.1:8000/v1" }, maxTokens: 64, temperature: 0.2 });
    expect(c.endpoint).toBe("http://127.0.0.1:8000/v1");
    expect(c.problem).toBeUndefined();
  });

  it("openai: a missing key is a problem named with its fix, unless a custom server is given", () => {
    expect(resolveConnection("openai", { model: "openai:gpt-4o" }, {}).problem).toBe('has no API key: set OPENAI_API_KEY, or give { model: "openai:gpt-4o", apiKey: "…" }');
    expect(resolveConnection("openai", { model: "openai:gpt-4o" }, { OPENAI_API_KEY: "x" }).problem).toBeUndefined();
    const local = resolveConnection("openai", { model: "openai:qwen", baseURL: "http://127.0.0.1:1234/v1" }, {});
    expect(local.problem).toBeUndefined();
    expect(local.fields).toEqual({ maxRetries: 0, apiKey: "not-needed", configuration: { baseURL: "http://127.0.0.1:1234/v1" } });
    expect(resolveConnection("openai", { model: "openai:qwen" }, { OPENAI_BASE_URL: "http://127.0.0.1:1234/v1" }).endpoint).toBe("http://127.0.0.1:1234/v1");
  });

  it("ollama: baseUrl or OLLAMA_HOST; maxTokens becomes numPredict; no key needed", () => {
    expect(resolveConnection("ollama", { model: "ollama:llama3.1:8b", baseUrl: "http://10.0.0.5:11434", maxTokens: 32 }, {}).fields).toEqual({ fetch: signalAwareFetch, baseUrl: "http://10.0.0.5:11434", numPredict: 32 });
    const fromEnv = resolveConnection("ollama", { model: "ollama:llama3.1" }, { OLLAMA_HOST: "http://127.0.0.1:9999" });
    expect(fromEnv.fields).toEqual({ fetch: signalAwareFetch, baseUrl: "http://127.0.0.1:9999" });
    expect(fromEnv.problem).toBeUndefined();
    expect(resolveConnection("ollama", { model: "ollama:llama3.1" }, {}).endpoint).toBe("http://127.0.0.1:11434");
  });

  it("google-genai: GOOGLE_API_KEY or GEMINI_API_KEY; maxTokens becomes maxOutputTokens", () => {
    expect(resolveConnection("google-genai", { model: "google-genai:gemini-2.0-flash" }, {}).problem).toMatch(/set GOOGLE_API_KEY or GEMINI_API_KEY/);
    expect(resolveConnection("google-genai", { model: "google-genai:gemini-2.0-flash" }, { GEMINI_API_KEY: "g" }).problem).toBeUndefined();
    expect(resolveConnection("google-genai", { model: "google-genai:g", maxTokens: 10, baseUrl: "http://127.0.0.1:1" }, { GOOGLE_API_KEY: "g" }).fields).toEqual({ maxRetries: 0, streaming: true, maxOutputTokens: 10, baseUrl: "http://127.0.0.1:1" });
  });
});

describe("the sampling settings every provider takes: topP, seed and stop", () => {
  const sampling = { topP: 0.9, seed: 7, stop: ["###"] };
  it("go to each client's own field", () => {
    expect(resolveConnection("openai", { model: "openai:m", apiKey: "k", ...sampling }, {}).fields).toMatchObject({ topP: 0.9, seed: 7, stop: ["###"] });
    expect(resolveConnection("ollama", { model: "ollama:m", ...sampling }, {}).fields).toMatchObject({ topP: 0.9, seed: 7, stop: ["###"] });
    const gemini = resolveConnection("google-genai", { model: "google-genai:m", topP: 0.9, stop: ["###"] }, { GOOGLE_API_KEY: "g" }).fields;
    expect(gemini).toMatchObject({ topP: 0.9, stopSequences: ["###"] });
    expect(gemini).not.toHaveProperty("stop");
  });

  it("a setting a client lacks (Gemini's seed) is refused when the mixture is made, not dropped", () => {
    expect(() => createMixtureOfAgents({ proposers: [{ model: "google-genai:gemini-2.0-flash", seed: 1 }], aggregator: new ScriptedChatModel({ model: "a" }) }))
      .toThrow("Invalid proposers[0].seed: the google-genai client has no such setting; remove it (settings every provider takes: temperature, maxTokens, topP, stop)");
    expect(() => createMixtureOfAgents({ proposers: [{ model: "openai:m", topP: 2 }], aggregator: new ScriptedChatModel({ model: "a" }) })).toThrow(/Invalid proposers\[0\]\.topP: expected a number between 0 and 1/);
    expect(() => createMixtureOfAgents({ proposers: [{ model: new ScriptedChatModel({ model: "p" }), seed: 1 }], aggregator: new ScriptedChatModel({ model: "a" }) })).toThrow(/Invalid proposers\[0\]\.seed: applies to "provider:model" strings only/);
  });
});

describe("models that cannot be used fail before any tokens are spent", () => {
  it("a missing key names the model, the provider and the variable; no other model was called", async () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    vi.stubEnv("OPENAI_BASE_URL", "");
    vi.stubEnv("OPENAI_API_BASE", "");
    const fake = new ScriptedChatModel({ model: "fake" });
    const graph = createMixtureOfAgents({ proposers: [fake, "openai:gpt-4o-mini"], aggregator: fake });
    const error = await graph.invoke({ messages: [new HumanMessage("q")] }).catch((e: unknown) => e);
    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect((error as MoAConfigError).option).toBe("proposers[1]");
    expect(String(error)).toContain('model "openai:gpt-4o-mini" (provider openai) has no API key: set OPENAI_API_KEY');
    expect(fake.calls).toHaveLength(0);
  });

  it("a provider package that is not installed names the package and the install command", async () => {
    const fake = new ScriptedChatModel({ model: "fake" });
    const graph = createMixtureOfAgents({ proposers: [fake], aggregator: { model: "anthropic:claude-3-5-sonnet-latest", apiKey: "k" } });
    const error = await graph.invoke({ messages: [new HumanMessage("q")] }).catch((e: unknown) => e);
    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect(String(error)).toContain('model "anthropic:claude-3-5-sonnet-latest" (provider anthropic): the package @langchain/anthropic is not installed; run: npm install @langchain/anthropic');
    expect(fake.calls).toHaveLength(0);
  });

  it("several unusable models are reported together", async () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    vi.stubEnv("GOOGLE_API_KEY", "");
    vi.stubEnv("GEMINI_API_KEY", "");
    const graph = createMixtureOfAgents({ proposers: ["openai:gpt-4o-mini", "google-genai:gemini-2.0-flash"], aggregator: new ScriptedChatModel({ model: "agg" }) });
    const error = await graph.invoke({ messages: [new HumanMessage("q")] }).catch((e: unknown) => e);
    expect(String(error)).toMatch(/2 models cannot be used:\n- .*openai:gpt-4o-mini.*OPENAI_API_KEY.*\n- .*google-genai:gemini-2.0-flash.*GOOGLE_API_KEY or GEMINI_API_KEY/);
  });
});

describe("explainCallError", () => {
  const connection = resolveConnection("ollama", { model: "ollama:llama3.1" }, {});
  it("an unreachable host names the endpoint and the variable to set", () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:11434"), { code: "ECONNREFUSED" }) });
    expect(explainCallError(refused, { model: "ollama:llama3.1", provider: "ollama", connection })).toBe(
      "ollama:llama3.1 (provider ollama): cannot reach http://127.0.0.1:11434 (TypeError: fetch failed); check that the server runs, or set OLLAMA_HOST or { model: \"ollama:llama3.1\", baseURL: \"…\" }",
    );
  });
  it("a refused key names the variable; an unknown Ollama model says to pull it", () => {
    const openai = resolveConnection("openai", { model: "openai:gpt-4o" }, { OPENAI_API_KEY: "x" });
    expect(explainCallError(Object.assign(new Error("401 Unauthorized"), { status: 401 }), { model: "openai:gpt-4o", provider: "openai", connection: openai })).toMatch(/refused the API key \(HTTP 401\); set OPENAI_API_KEY/);
    expect(explainCallError(Object.assign(new Error("model not found"), { status_code: 404 }), { model: "my-llama", modelName: "llama3.1:8b", provider: "ollama", connection })).toMatch(/^my-llama \(provider ollama\): .*run "ollama pull llama3.1:8b"$/);
  });
});

describe("explainCallError keeps one line", () => {
  it("drops the paragraphs some errors add", () => {
    const error = Object.assign(new Error("429 Rate limit reached.\n\nTroubleshooting URL: https://example.invalid/x"), { name: "RateLimitError" });
    expect(explainCallError(error, { model: "m" })).toBe("m: RateLimitError: 429 Rate limit reached.");
  });
});

describe("redactSecrets", () => {
  it("masks known keys, environment secrets and key-shaped strings", () => {
    const env = { OPENAI_API_KEY: "sk-live-0123456789abcdef", UNRELATED: "visible" };
    expect(redactSecrets("a my-own-key b sk-live-0123456789abcdef c AIzaSyA1234567890123456789012 d visible", ["my-own-key"], env)).toBe(
      "a [redacted] b [redacted] c [redacted] d visible",
    );
  });
});
