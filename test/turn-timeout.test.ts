/**
 * A turn timeout ends every call of the layer at the same instant: the turn fails with one
 * `MoATimeoutError`, not with LangGraph's `AggregateError` of one error per call.
 */
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { MoATimeoutError, createMixtureOfAgents } from "../src/index.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

describe("timeouts.turnMs", () => {
  // 1 ms: the deadline has passed when the layer starts, so every call is cut short at the same instant.
  it.each([
    [3, 100],
    [12, 100],
    [3, 1],
    [12, 1],
  ])("with %i proposers still answering and turnMs %i, the turn fails with one MoATimeoutError", async (count, turnMs) => {
    const graph = createMixtureOfAgents({
      proposers: Array.from({ length: count }, (_, i) => new ScriptedChatModel({ model: `p${i}`, delayMs: 2_000 })),
      aggregator: new ScriptedChatModel({ model: "agg" }),
      timeouts: { turnMs },
    });
    const started = Date.now();
    const error = await graph.invoke({ messages: [new HumanMessage("q")] }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(AggregateError);
    expect(MoATimeoutError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ scope: "turn", timeoutMs: turnMs });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it("two turns that time out each get their own error", async () => {
    const graph = createMixtureOfAgents({
      proposers: [new ScriptedChatModel({ model: "p", delayMs: 2_000 }), new ScriptedChatModel({ model: "q", delayMs: 2_000 })],
      aggregator: new ScriptedChatModel({ model: "agg" }),
      timeouts: { turnMs: 50 },
    });
    const [first, second] = await Promise.all([1, 2].map(() => graph.invoke({ messages: [new HumanMessage("q")] }).catch((e: unknown) => e)));
    expect(MoATimeoutError.isInstance(first) && MoATimeoutError.isInstance(second)).toBe(true);
    expect(first).not.toBe(second);
  });
});
