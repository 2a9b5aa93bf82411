/**
 * A spec's `params` are merged with its connection (`baseURL`/`baseUrl`, `apiKey`), never replace it: a
 * key goes only to the host configured for it, errors name the host that was called, and a base URL or
 * key given twice, differently, is refused when the MoA is made. Over the wire against the local
 * protocol servers; the recording `fetch` refuses any URL off 127.0.0.1, so nothing leaves the machine.
 */
import { HumanMessage } from "@langchain/core/messages";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MixtureOfAgents, MoAConfigError, createMixtureOfAgents, type ModelInput } from "../../src/index.js";
import { signalAwareFetch } from "../../src/models/call-signal.js";
import { resolveConnection } from "../../src/models/providers.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { closedPort as findClosedPort } from "../support/closed-port.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

let openai: ProtocolServer;
let ollama: ProtocolServer;
let gemini: ProtocolServer;
let closedPort: number;

beforeAll(async () => {
  const fallback = { text: "ok answer" };
  [openai, ollama, gemini] = await Promise.all([startOpenAIServer({ models: {}, fallback }), startOllamaServer({ models: {}, fallback }), startGeminiServer({ models: {}, fallback })]);
  closedPort = await findClosedPort();
});
afterAll(async () => {
  await Promise.all([openai, ollama, gemini].map((server) => server?.close()));
});
afterEach(() => {
  for (const server of [openai, ollama, gemini]) server.requests.length = 0;
});

const question = { messages: [new HumanMessage("q")] };
const aggregator = (): ModelInput => ({ model: "openai:agg", apiKey: "sk-agg-key", baseURL: `${openai.url}/v1` });

/** A `fetch` that records every URL it is asked for and refuses those off 127.0.0.1. */
function recordingFetch(): { fetch: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const recording: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    urls.push(url);
    if (!url.startsWith("http://127.0.0.1:")) return Promise.reject(new Error(`refused to leave the machine for ${new URL(url).host}`));
    return fetch(input, init);
  };
  return { fetch: recording, urls };
}

describe("params merged with the connection: the request, with its key, goes to the configured host", () => {
  it("openai: a custom fetch in params.configuration keeps baseURL; the local server gets the request with the key", async () => {
    const { fetch, urls } = recordingFetch();
    const state = await createMixtureOfAgents({
      proposers: [{ model: "openai:a", baseURL: `${openai.url}/v1`, apiKey: "k-local-key", params: { configuration: { fetch } } }],
      aggregator: aggregator(),
    }).invoke(question);
    expect(state.proposals[0]?.error).toBeUndefined();
    expect(urls).toEqual([`${openai.url}/v1/chat/completions`]);
    expect(openai.requests.filter((r) => r.model === "a").map((r) => r.headers.authorization)).toEqual(["Bearer k-local-key"]);
  });

  it("openai: a base URL given only in params.configuration is where the key goes, and what an error names", async () => {
    const { fetch, urls } = recordingFetch();
    await createMixtureOfAgents({
      proposers: [{ model: "openai:a", apiKey: "k-local-key", params: { configuration: { baseURL: `${openai.url}/v1`, fetch } } }],
      aggregator: aggregator(),
    }).invoke(question);
    expect(urls).toEqual([`${openai.url}/v1/chat/completions`]);
    expect(openai.requests.find((r) => r.model === "a")?.headers.authorization).toBe("Bearer k-local-key");

    const down = `http://127.0.0.1:${closedPort}/v1`;
    const state = await createMixtureOfAgents({
      proposers: [{ model: "openai:a", apiKey: "k-local-key", params: { configuration: { baseURL: down } } }, aggregator()],
      aggregator: aggregator(),
      retry: false,
    }).invoke(question);
    expect(state.proposals[0]?.error).toMatchObject({ kind: "unreachable" });
    expect(state.proposals[0]?.error?.message).toContain(`cannot reach ${down} `);
  });

  it("ollama: a custom fetch in params keeps baseUrl; a base URL given only as params.baseUrl is the one called and named", async () => {
    const { fetch, urls } = recordingFetch();
    await createMixtureOfAgents({ proposers: [{ model: "ollama:llama3.1", baseUrl: ollama.url, params: { fetch } }], aggregator: aggregator() }).invoke(question);
    expect(urls).toEqual([`${ollama.url}/api/chat`]);
    expect(ollama.requests.map((r) => r.model)).toEqual(["llama3.1"]);

    const down = `http://127.0.0.1:${closedPort}`;
    const state = await createMixtureOfAgents({
      proposers: [{ model: "ollama:llama3.1", params: { baseUrl: down } }, aggregator()],
      aggregator: aggregator(),
      retry: false,
    }).invoke(question);
    expect(state.proposals[0]?.error?.message).toContain(`cannot reach ${down} `);
  });

  it("gemini: a key given in params.apiKey goes to the spec's baseUrl; a base URL given only in params is the one called and named", async () => {
    await createMixtureOfAgents({ proposers: [{ model: "google-genai:g", baseUrl: gemini.url, params: { apiKey: "gemini-params-key" } }], aggregator: aggregator() }).invoke(question);
    expect(gemini.requests.map((r) => r.headers["x-goog-api-key"])).toEqual(["gemini-params-key"]);

    const down = `http://127.0.0.1:${closedPort}`;
    const state = await createMixtureOfAgents({
      proposers: [{ model: "google-genai:g", apiKey: "gemini-key", params: { baseUrl: down } }, aggregator()],
      aggregator: aggregator(),
      retry: false,
    }).invoke(question);
    expect(state.proposals[0]?.error).toMatchObject({ kind: "unreachable" });
    expect(state.proposals[0]?.error?.message).toContain(`cannot reach ${down} `);
  });

  it("a key given only in params is masked in errors like one given as apiKey", async () => {
    const key = "params-only-secret-0123";
    openai.setScript("echo-key", { text: (request) => { throw new Error(`key ${request.headers.authorization} refused`); } });
    const state = await createMixtureOfAgents({
      proposers: [{ model: "openai:echo-key", baseURL: `${openai.url}/v1`, params: { configuration: { apiKey: key } } }, aggregator()],
      aggregator: aggregator(),
      retry: false,
    }).invoke(question);
    expect(openai.requests.find((r) => r.model === "echo-key")?.headers.authorization).toBe(`Bearer ${key}`);
    expect(state.proposals[0]?.error?.message).toContain("[redacted]");
    expect(JSON.stringify(state.proposals)).not.toContain("params-only-secret");
  });
});

describe("resolveConnection merges params into the constructor fields without replacing the connection", () => {
  const custom: typeof fetch = (input, init) => fetch(input, init);
  it("openai: params.configuration is merged key by key with the configuration that holds baseURL", () => {
    const c = resolveConnection("openai", { model: "openai:a", baseURL: "http://127.0.0.1:8000/v1", apiKey: "k", params: { configuration: { fetch: custom }, maxRetries: 3 } }, {});
    expect(c.fields).toEqual({ maxRetries: 3, apiKey: "k", configuration: { baseURL: "http://127.0.0.1:8000/v1", fetch: custom } });
    expect(c.endpoint).toBe("http://127.0.0.1:8000/v1");
  });

  it("openai: a base URL and key given only in params are the connection's (endpoint, no 'not-needed' key, no missing-key problem)", () => {
    const c = resolveConnection("openai", { model: "openai:a", params: { configuration: { baseURL: "http://127.0.0.1:8000/v1", apiKey: "k" } } }, {});
    expect(c.fields).toEqual({ maxRetries: 0, apiKey: "k", configuration: { baseURL: "http://127.0.0.1:8000/v1", apiKey: "k" } });
    expect(c.endpoint).toBe("http://127.0.0.1:8000/v1");
    expect(c.problem).toBeUndefined();
  });

  it("ollama: params.baseUrl wins over OLLAMA_HOST and is the endpoint; a custom fetch replaces the default one", () => {
    const c = resolveConnection("ollama", { model: "ollama:l", params: { baseUrl: "http://10.0.0.5:11434", fetch: custom } }, { OLLAMA_HOST: "http://127.0.0.1:9999" });
    expect(c.fields).toEqual({ fetch: custom, baseUrl: "http://10.0.0.5:11434" });
    expect(c.endpoint).toBe("http://10.0.0.5:11434");
    expect(resolveConnection("ollama", { model: "ollama:l", baseUrl: "http://h:1", params: { keepAlive: "5m" } }, {}).fields).toEqual({ fetch: signalAwareFetch, baseUrl: "http://h:1", keepAlive: "5m" });
  });

  it("gemini: params.apiKey and params.baseUrl are the connection's", () => {
    const c = resolveConnection("google-genai", { model: "google-genai:g", params: { apiKey: "g-key", baseUrl: "http://127.0.0.1:7" } }, {});
    expect(c.fields).toEqual({ maxRetries: 0, streaming: true, apiKey: "g-key", baseUrl: "http://127.0.0.1:7" });
    expect(c.endpoint).toBe("http://127.0.0.1:7");
    expect(c.problem).toBeUndefined();
  });
});

describe("a base URL or key given twice, differently, is refused when the MoA is made", () => {
  const local = "http://127.0.0.1:8000/v1";
  it.each([
    ["baseURL and params.configuration.baseURL", { model: "openai:a", baseURL: local, params: { configuration: { baseURL: "https://api.openai.com/v1" } } }, "proposers[0].params.configuration.baseURL", "proposers[0].baseURL"],
    ["baseURL and params.baseURL", { model: "openai:a", baseURL: local, params: { baseURL: "http://other:8000/v1" } }, "proposers[0].params.baseURL", "proposers[0].baseURL"],
    ["baseUrl and params.baseUrl (Ollama)", { model: "ollama:l", baseUrl: "http://gpu-box:11434", params: { baseUrl: "http://127.0.0.1:11434" } }, "proposers[0].params.baseUrl", "proposers[0].baseUrl"],
    ["params.configuration.baseURL and params.baseUrl", { model: "openai:a", params: { configuration: { baseURL: local }, baseUrl: "http://other/v1" } }, "proposers[0].params.baseUrl", "proposers[0].params.configuration.baseURL"],
    ["apiKey and params.configuration.apiKey", { model: "openai:a", apiKey: "first-secret-key", params: { configuration: { apiKey: "second-secret-key" } } }, "proposers[0].params.configuration.apiKey", "proposers[0].apiKey"],
    ["apiKey and params.apiKey (Gemini)", { model: "google-genai:g", apiKey: "first-secret-key", params: { apiKey: "second-secret-key" } }, "proposers[0].params.apiKey", "proposers[0].apiKey"],
  ] as const)("%s", (_name, spec, option, other) => {
    let error: unknown;
    try {
      createMixtureOfAgents({ proposers: [spec as ModelInput], aggregator: "openai:gpt-4o" });
    } catch (e) {
      error = e;
    }
    expect(MoAConfigError.isInstance(error)).toBe(true);
    expect((error as MoAConfigError).option).toBe(option);
    expect((error as Error).message).toContain(`Invalid ${option}: `);
    expect((error as Error).message).toContain(other);
    expect((error as Error).message).not.toMatch(/secret-key/);
  });

  it("the chat model refuses it too, naming the aggregator in a list", () => {
    const aggregators: ModelInput[] = ["openai:gpt-4o", { model: "google-genai:g", baseUrl: "http://a:1", params: { baseUrl: "http://b:1" } }];
    expect(() => new MixtureOfAgents({ proposers: ["openai:gpt-4o-mini"], aggregator: aggregators })).toThrow(
      /^Invalid aggregator\[1\]\.params\.baseUrl: gives the base URL differently from aggregator\[1\]\.baseUrl/,
    );
  });

  it("the same value given twice is accepted (a trailing slash aside)", () => {
    expect(() =>
      createMixtureOfAgents({
        proposers: [{ model: "openai:a", baseURL: local, apiKey: "k", params: { configuration: { baseURL: `${local}/`, apiKey: "k" } } }],
        aggregator: "openai:gpt-4o",
      }),
    ).not.toThrow();
  });
});
