/**
 * 200 concurrent turns against the protocol servers with random faults: every turn ends, in an answer
 * or a typed MoA error, and the per-provider limit on requests in flight is never exceeded.
 */
import { HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MoAError, createMixtureOfAgents, type ModelInput } from "../../src/index.js";
import { startGeminiServer } from "../support/gemini-server.js";
import { startOllamaServer } from "../support/ollama-server.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ModelScript, ProtocolServer } from "../support/protocol-server.js";
import { seeded } from "../../tools/seeded-random.js";

const SEED = 20261125;
const random = seeded(SEED);
const LIMIT = 6;

function scripts(): Record<string, ModelScript> {
  return {
    ok: { text: "fine", latencyMs: 5 },
    slow: { text: "slow but fine", latencyMs: 80 },
    flaky: {
      text: () => {
        if (random() < 0.3) throw new Error("random server error");
        return "flaky but fine";
      },
    },
    reset: { fault: { kind: "reset" } },
    malformed: { fault: { kind: "malformed-json" } },
    hang: { fault: { kind: "hang" } },
    limited: { text: "limited", fault: { kind: "status", status: 429, retryAfterSeconds: 0, times: 50 } },
  };
}

let servers: Record<"openai" | "ollama" | "gemini", ProtocolServer>;
beforeAll(async () => {
  const [openai, ollama, gemini] = await Promise.all([
    startOpenAIServer({ models: scripts() }),
    startOllamaServer({ models: scripts() }),
    startGeminiServer({ models: scripts() }),
  ]);
  servers = { openai: openai!, ollama: ollama!, gemini: gemini! };
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

function model(provider: keyof typeof servers, name: string): ModelInput {
  const url = servers[provider].url;
  if (provider === "openai") return { model: `openai:${name}`, apiKey: "sk-test-key", baseURL: `${url}/v1` };
  if (provider === "ollama") return { model: `ollama:${name}`, baseUrl: url };
  return { model: `google-genai:${name}`, apiKey: "test-key", baseUrl: url };
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const PROVIDERS = ["openai", "ollama", "gemini"] as const;
const NAMES = ["ok", "slow", "flaky", "reset", "malformed", "hang", "limited"] as const;

describe("soak", () => {
  it(`200 concurrent turns with random faults all end; at most ${LIMIT} requests in flight per provider (seed ${SEED})`, async () => {
    const inFlightSeen = { openai: 0, ollama: 0, gemini: 0 };
    const watcher = setInterval(() => {
      for (const provider of PROVIDERS) inFlightSeen[provider] = Math.max(inFlightSeen[provider], servers[provider].inFlight());
    }, 1);
    const turns = Array.from({ length: 200 }, async () => {
      const graph = createMixtureOfAgents({
        proposers: Array.from({ length: 3 }, () => model(pick(PROVIDERS), pick(NAMES))),
        aggregator: [model(pick(PROVIDERS), pick(["ok", "flaky"] as const)), model("openai", "ok")],
        layers: pick([1, 2]),
        // The 200 turns share one core for about 12 s of CPU: the turn deadline leaves room for a loaded machine.
        timeouts: { proposerMs: 400, aggregatorMs: 1_000, turnMs: 60_000 },
        retry: { maxRetries: 2, initialDelayMs: 5, maxDelayMs: 50 },
        concurrency: { perProvider: LIMIT },
      });
      try {
        const state = await graph.invoke({ messages: [new HumanMessage("q")] });
        return state.messages.at(-1)?.text ? "answered" : "no answer";
      } catch (error) {
        return MoAError.isInstance(error) ? error.name : `untyped ${String(error)}`;
      }
    });
    const outcomes = await Promise.all(turns).finally(() => clearInterval(watcher));

    const counts = outcomes.reduce<Record<string, number>>((acc, outcome) => ({ ...acc, [outcome]: (acc[outcome] ?? 0) + 1 }), {});
    // Every turn ends in an answer or a typed MoA error (a turn timeout too, on a heavily loaded machine).
    expect(Object.keys(counts).filter((outcome) => !["answered", "ProposersFailedError", "AggregatorFailedError", "MoATimeoutError"].includes(outcome))).toEqual([]);
    expect(counts.answered, JSON.stringify(counts)).toBeGreaterThan(100);
    expect(outcomes).toHaveLength(200);
    for (const provider of PROVIDERS) {
      expect(servers[provider].maxInFlight).toBeLessThanOrEqual(LIMIT);
      expect(inFlightSeen[provider]).toBeGreaterThan(0);
    }
    // Nothing is left hanging at the servers once every turn has ended.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(PROVIDERS.map((provider) => servers[provider].inFlight())).toEqual([0, 0, 0]);
  }, 120_000);
});
