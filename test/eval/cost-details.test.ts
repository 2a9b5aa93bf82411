import { HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addCosts } from "../../eval/judge.js";
import { mixtureAnswer } from "../../eval/mixture.js";
import { formatUsage } from "../../src/index.js";
import { formatProposal } from "../../src/graph/format-proposal.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

describe("cached and reasoning tokens in what people read", () => {
  let server: ProtocolServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ models: {}, fallback: { text: "An answer.", usage: "counted" } });
  });
  afterAll(() => server?.close());

  it("formatUsage names the cached and reasoning tokens only where they were reported", () => {
    expect(formatUsage({ input_tokens: 120, output_tokens: 48, total_tokens: 168 })).toBe("120 tokens in, 48 out");
    expect(formatUsage({ input_tokens: 120, output_tokens: 48, total_tokens: 168, input_token_details: { cache_read: 80 }, output_token_details: { reasoning: 12 } })).toBe(
      "120 tokens in (80 cached), 48 out (12 reasoning)",
    );
  });

  it("showInternal's proposal header shows the proposal's tokens", () => {
    const header = formatProposal({ event: "moa_proposal", id: "p1", model: "p1", index: 0, layer: 1, text: "x", startedAt: 0, endedAt: 1200, usage: { input_tokens: 10, output_tokens: 5, total_tokens: 15, input_token_details: { cache_read: 6 } } }).split("\n")[0];
    expect(header).toBe("[MoA layer 1 · p1 · 1.2s · 10 tokens in (6 cached), 5 out]");
  });

  it("the evaluation counts the cached tokens the providers reported for a MoA answer, and sums them", async () => {
    const at = (model: string) => ({ model: `openai:${model}`, baseURL: `${server.url}/v1`, apiKey: "test-key" });
    const answer = mixtureAnswer({ proposers: [at("eval-p1"), at("eval-p2")], aggregator: at("eval-p1"), layers: 2 });
    const first = await answer([new HumanMessage("What is a mixture of agents?")], new AbortController().signal);
    const second = await answer([new HumanMessage("What is a mixture of agents?")], new AbortController().signal);
    expect(first.cachedTokens).toBeGreaterThan(0);
    // The same question again: every call's prompt was seen before, so more of it is cached.
    expect(second.cachedTokens).toBeGreaterThan(first.cachedTokens ?? 0);
    expect(addCosts(first, second)).toMatchObject({ calls: 10, cachedTokens: (first.cachedTokens ?? 0) + (second.cachedTokens ?? 0) });
    expect(addCosts({ calls: 1, inputTokens: 1, outputTokens: 1, wallMs: 1 }, { calls: 1, inputTokens: 1, outputTokens: 1, wallMs: 1 })).not.toHaveProperty("cachedTokens");
  });
});
