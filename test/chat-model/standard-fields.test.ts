import { InMemoryCache } from "@langchain/core/caches";
import { HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixtureOfAgents, MoAConfigError, MoATimeoutError, getMoATrace } from "../../src/index.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";
import { configError } from "../support/config-error.js";

let server: ProtocolServer;
beforeAll(async () => {
  server = await startOpenAIServer({ models: {}, fallback: { text: "served answer" } });
});
afterAll(() => server.close());

const q = [new HumanMessage("q")];

function scripted(fields: Partial<ConstructorParameters<typeof ScriptedChatModel>[0]> = {}) {
  const proposers = [new ScriptedChatModel({ model: "p1", answer: "one" }), new ScriptedChatModel({ model: "p2", answer: "two" })];
  const aggregator = new ScriptedChatModel({ model: "agg", answer: "final answer", ...fields });
  return { proposers, aggregator };
}

describe("standard constructor fields", () => {
  it("accepts every standard field TypeScript accepts", () => {
    expect(() => new MixtureOfAgents({
      proposers: ["openai:gpt-4o-mini"], aggregator: "openai:gpt-4o",
      temperature: 0.2, maxTokens: 300, timeout: 60_000, stopSequences: ["END"], maxRetries: 1, streaming: true, cache: true,
      disableStreaming: false, maxConcurrency: 4, callbacks: [], tags: ["t"], metadata: { a: 1 }, verbose: false, outputVersion: "v0", apiKey: "sk-one-key",
    })).not.toThrow();
  });

  it("temperature, maxTokens and apiKey are the defaults of models given as strings", async () => {
    const baseURL = `${server.url}/v1`;
    const moa = new MixtureOfAgents({
      proposers: [{ model: "openai:small", baseURL }, { model: "openai:tuned", baseURL, temperature: 0.9 }],
      aggregator: { model: "openai:large", baseURL },
      temperature: 0.2, maxTokens: 300, apiKey: "sk-shared-test-key", maxRetries: 0,
    });
    server.requests.length = 0;
    await moa.invoke(q);
    const sent = Object.fromEntries(server.requests.map((r) => [r.model, r.body as Record<string, unknown>]));
    expect(sent.small).toMatchObject({ temperature: 0.2, max_tokens: 300 });
    expect(sent.tuned).toMatchObject({ temperature: 0.9, max_tokens: 300 });
    expect(sent.large).toMatchObject({ temperature: 0.2, max_tokens: 300 });
    expect(server.requests.every((r) => r.headers.authorization === "Bearer sk-shared-test-key")).toBe(true);
  });

  it("refuses what cannot be honoured, saying why", () => {
    const { proposers, aggregator } = scripted();
    expect(configError(() => new MixtureOfAgents({ proposers, aggregator, temperature: 0.5 })).message)
      .toMatch(/Invalid temperature: applies to models given as "provider:model" strings, and every model here is an instance/);
    expect(configError(() => new MixtureOfAgents({ proposers: ["openai:a", "ollama:b"], aggregator: "openai:c", apiKey: "k" })).message)
      .toMatch(/Invalid apiKey: one key cannot serve the providers openai, ollama/);
    expect(configError(() => new MixtureOfAgents({ proposers, aggregator, onFailedAttempt: () => undefined } as never)).option).toBe("onFailedAttempt");
    expect(configError(() => new MixtureOfAgents({ proposers, aggregator, callbackManager: {} } as never)).message).toMatch(/give callbacks instead/);
    expect(configError(() => new MixtureOfAgents({ proposers, aggregator, timeout: 5, timeouts: { turnMs: 6 } })).message).toMatch(/contradicts timeouts.turnMs/);
    expect(configError(() => new MixtureOfAgents({ proposers, aggregator, maxRetries: 1, retry: false })).message).toMatch(/contradicts retry/);
  });

  it("stopSequences are the aggregator's stop; call-time stop replaces them; proposers get none", async () => {
    const { proposers, aggregator } = scripted();
    const moa = new MixtureOfAgents({ proposers, aggregator, stopSequences: ["END"] });
    await moa.invoke(q);
    await moa.invoke(q, { stop: ["STOP"] });
    expect(aggregator.callOptions.map((o) => o.stop)).toEqual([["END"], ["STOP"]]);
    expect(proposers[0]?.callOptions.every((o) => o.stop === undefined)).toBe(true);
  });

  it("a call-time stop given as one string is one sequence", async () => {
    const { proposers, aggregator } = scripted();
    await new MixtureOfAgents({ proposers, aggregator }).invoke(q, { stop: "END" as never });
    expect(aggregator.callOptions[0]?.stop).toEqual(["END"]);
  });

  it("the answer names the model that wrote it in response_metadata.model", async () => {
    const { proposers, aggregator } = scripted();
    const answer = await new MixtureOfAgents({ proposers, aggregator }).invoke(q);
    expect(answer.response_metadata.model).toBe("agg");
  });

  it("a missing proposers list is named as missing, and a key given as a model is never echoed", () => {
    expect(configError(() => new MixtureOfAgents({ mainModel: "openai:gpt-4o" })).message).toMatch(/Invalid proposers: .*got undefined/);
    const error = configError(() => new MixtureOfAgents({ proposers: ["sk-abcdefghijklmnopqrstuvwx"], aggregator: "openai:gpt-4o" }));
    expect(error.message).not.toMatch(/abcdefghijkl/);
    expect(error.message).toMatch(/\[redacted\]/);
  });

  it("timeout is the turn's timeout", async () => {
    const { proposers, aggregator } = scripted({ delayMs: 2_000 });
    const moa = new MixtureOfAgents({ proposers, aggregator, timeout: 100 });
    const error = await moa.invoke(q).catch((thrown: unknown) => thrown);
    expect(MoATimeoutError.isInstance(error) && error.scope === "turn" && error.timeoutMs === 100).toBe(true);
  });

  it("maxRetries is each model call's retries", async () => {
    const unavailable = Object.assign(new Error("unavailable"), { status: 503 });
    const { proposers, aggregator } = scripted({ fail: (call) => (call === 0 ? unavailable : undefined) });
    const none = new MixtureOfAgents({ proposers, aggregator, maxRetries: 0 });
    await expect(none.invoke(q)).rejects.toThrow(/The aggregator failed/);
    const again = scripted({ fail: (call) => (call === 0 ? unavailable : undefined) });
    const one = new MixtureOfAgents({ ...again, maxRetries: 1, retry: { initialDelayMs: 1 } });
    expect((await one.invoke(q)).text).toBe("final answer");
    expect(again.aggregator.calls).toHaveLength(2);
  });

  it("maxConcurrency bounds this mixture's model calls in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const slow = (model: string) => new ScriptedChatModel({ model, delayMs: 30, answer: (_m, call) => `${model} ${call}` });
    const proposers = [slow("a"), slow("b"), slow("c")];
    for (const proposer of proposers) {
      const invoke = proposer.invoke.bind(proposer);
      proposer.invoke = async (...args) => {
        most = Math.max(most, ++inFlight);
        try {
          return await invoke(...args);
        } finally {
          inFlight -= 1;
        }
      };
    }
    const moa = new MixtureOfAgents({ proposers, aggregator: slow("agg"), maxConcurrency: 2 });
    await moa.invoke(q);
    expect(most).toBe(2);
  });

  it("getLsParams names the provider, the mixture and the standard settings", () => {
    const moa = new MixtureOfAgents({ proposers: ["openai:gpt-4o-mini", { model: "ollama:llama3.1", samples: 2 }], aggregator: "openai:gpt-4o", temperature: 0.3, maxTokens: 200, stopSequences: ["END"], layers: 2 });
    expect(moa.getLsParams({} as never)).toEqual({
      ls_provider: "langgraph-moa",
      ls_model_name: "moa(openai:gpt-4o-mini, ollama:llama3.1 x2 -> openai:gpt-4o; 2 layers)",
      ls_model_type: "chat",
      ls_temperature: 0.3,
      ls_max_tokens: 200,
      ls_stop: ["END"],
    });
  });

  it("an already-aborted signal throws at once, before any model is called", async () => {
    const { proposers, aggregator } = scripted();
    const moa = new MixtureOfAgents({ proposers, aggregator });
    const signal = AbortSignal.abort(new Error("stopped before start"));
    await expect(moa.invoke(q, { signal })).rejects.toThrow(/stopped before start/);
    await expect((async () => {
      for await (const _ of await moa.stream(q, { signal })) void _;
    })()).rejects.toThrow(/stopped before start/);
    expect([...proposers, aggregator].map((m) => m.calls.length)).toEqual([0, 0, 0]);
  });

  it("disableStreaming: stream() yields the whole answer in one chunk", async () => {
    const { proposers, aggregator } = scripted();
    const moa = new MixtureOfAgents({ proposers, aggregator, disableStreaming: true });
    const chunks = [];
    for await (const chunk of await moa.stream(q)) chunks.push(chunk);
    expect(chunks.map((c) => c.text)).toEqual(["final answer"]);
  });

  it("outputVersion v1 stores standard content blocks", async () => {
    const { proposers, aggregator } = scripted();
    const answer = await new MixtureOfAgents({ proposers, aggregator, outputVersion: "v1" }).invoke(q);
    expect(answer.content).toEqual([{ type: "text", text: "final answer" }]);
  });
});

describe("cache", () => {
  it("stores whole answers keyed by the mixture: a second call is served without model calls, another mixture is not", async () => {
    const cache = new InMemoryCache();
    const first = scripted();
    const moa = new MixtureOfAgents({ ...first, cache, aggregatorPrompt: "Combine." });
    const answer = await moa.invoke(q);
    const again = await moa.invoke(q);
    expect(again.text).toBe(answer.text);
    expect(first.aggregator.calls).toHaveLength(1);

    const other = scripted({ answer: "other answer" });
    const different = new MixtureOfAgents({ ...other, cache, aggregatorPrompt: "Combine differently." });
    expect((await different.invoke(q)).text).toBe("other answer");
    expect(getMoATrace(await different.invoke(q))).toBeDefined();
  });

  it("two tool bindings of one mixture never share an entry", async () => {
    const { tool } = await import("@langchain/core/tools");
    const { z } = await import("zod");
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "", toolCalls: (_m, call) => [{ name: call === 0 ? "get_weather" : "get_time", args: {} }] });
    const moa = new MixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p1" })], aggregator, cache: new InMemoryCache() });
    const weather = tool(async () => "sunny", { name: "get_weather", description: "weather", schema: z.object({}) });
    const time = tool(async () => "noon", { name: "get_time", description: "time", schema: z.object({}) });
    expect((await moa.bindTools([weather]).invoke(q)).tool_calls?.[0]?.name).toBe("get_weather");
    expect((await moa.bindTools([time]).invoke(q)).tool_calls?.[0]?.name).toBe("get_time");
    expect((await moa.bindTools([weather]).invoke(q)).tool_calls?.[0]?.name).toBe("get_weather");
    expect(aggregator.calls).toHaveLength(2);
  });

  it("the cache key holds no API key", () => {
    const moa = new MixtureOfAgents({ proposers: [{ model: "openai:gpt-4o-mini", apiKey: "sk-secret-one" }], aggregator: { model: "openai:gpt-4o", apiKey: "sk-secret-two", baseURL: "http://127.0.0.1:9/v1" } });
    const key = JSON.stringify(moa._identifyingParams());
    expect(key).not.toMatch(/sk-secret/);
    expect(key).toMatch(/openai:gpt-4o-mini/);
  });
});

describe("profile", () => {
  class Profiled extends ScriptedChatModel {
    constructor(model: string, private readonly own: Record<string, unknown>) {
      super({ model });
    }
    override get profile() {
      return this.own;
    }
  }

  it("tools and structured output are the aggregators'; inputs and the context window those every model shares", () => {
    const moa = new MixtureOfAgents({
      proposers: [new Profiled("p1", { imageInputs: true, maxInputTokens: 8_000, toolCalling: false }), new Profiled("p2", { imageInputs: true, maxInputTokens: 128_000 })],
      aggregator: new Profiled("agg", { imageInputs: true, maxInputTokens: 200_000, toolCalling: true, structuredOutput: true, maxOutputTokens: 4_096 }),
    });
    expect(moa.profile).toEqual({ toolCalling: true, structuredOutput: true, imageInputs: true, maxInputTokens: 8_000, maxOutputTokens: 4_096 });
  });

  it("one text-only model makes the mixture text-only; an aggregator without bindTools cannot call tools", () => {
    const plain = new Profiled("agg", {});
    Object.defineProperty(plain, "bindTools", { value: undefined });
    const moa = new MixtureOfAgents({ proposers: [new Profiled("p1", { imageInputs: false })], aggregator: plain });
    expect(moa.profile).toMatchObject({ toolCalling: false, imageInputs: false });
  });

  it("a spec's maxInputTokens is the model's context window; a vote's answer calls no tool and is no structured output", () => {
    const moa = new MixtureOfAgents({
      proposers: [{ model: new Profiled("p1", { toolCalling: true, structuredOutput: true, maxOutputTokens: 2_048 }), maxInputTokens: 4_000 }, new Profiled("p2", { maxInputTokens: 32_000 })],
      aggregation: "vote",
    });
    expect(moa.profile).toEqual({ toolCalling: false, toolChoice: false, structuredOutput: false, maxInputTokens: 4_000 });
  });

  it("models given as strings count by their provider until created", () => {
    const moa = new MixtureOfAgents({ proposers: ["ollama:llama3.1"], aggregator: "openai:gpt-4o" });
    expect(moa.profile.toolCalling).toBe(true);
  });
});

describe("types", () => {
  it("refused fields are type errors too", () => {
    const { proposers, aggregator } = scripted();
    // @ts-expect-error onFailedAttempt is not a field of a mixture
    expect(() => new MixtureOfAgents({ proposers, aggregator, onFailedAttempt: () => undefined })).toThrow(MoAConfigError);
  });
});

describe("the fields are checked by one schema", () => {
  it.each([
    ["temperature", { temperature: -1 }, /expected a number >= 0; got -1/],
    ["maxTokens", { maxTokens: 1.5 }, /expected an integer >= 1; got 1.5/],
    ["stopSequences", { stopSequences: "END" }, /expected an array of strings, e.g. \["END"\]; got "END"/],
    ["timeout", { timeout: 0 }, /expected a number >= 1; got 0/],
    ["maxRetries", { maxRetries: -1 }, /expected an integer >= 0; got -1/],
    ["maxConcurrency", { maxConcurrency: 0 }, /expected an integer >= 1; got 0/],
    ["streaming", { streaming: "yes" }, /expected true or false; got "yes"/],
    ["outputVersion", { outputVersion: "v2" }, /expected "v0" or "v1"; got "v2"/],
    ["showInternal", { showInternal: 1 }, /expected true, false or a function/],
    ["apiKey", { apiKey: 42 }, /expected a non-empty string; got number/],
    ["stopSequences[0]", { stopSequences: [""] }, /expected a non-empty string; got ""/],
    ["cache", { cache: {} }, /expected true, false or a LangChain cache \(a BaseCache with lookup and update\); got an object/],
    ["options", { temprature: 0.2 }, /unknown field\(s\) temprature; valid fields: proposers, aggregator, .*temperature/],
  ])("%s", (option, fields, message) => {
    const error = configError(() => new MixtureOfAgents({ proposers: ["openai:a"], aggregator: "openai:b", ...fields } as never));
    expect(error.option).toBe(option);
    expect(error.message).toMatch(message);
  });
});
