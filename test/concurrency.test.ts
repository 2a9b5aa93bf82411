import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { createMixtureOfAgents } from "../src/index.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

describe("all proposers of a layer run concurrently", () => {
  it("a layer of four 150 ms proposers takes about one proposer's time, not their sum", async () => {
    const delayMs = 150;
    const proposers = ["a", "b", "c", "d"].map((model) => new ScriptedChatModel({ model, delayMs }));
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const graph = createMixtureOfAgents({ proposers, aggregator, layers: 2 });

    const state = await graph.invoke({ messages: [new HumanMessage("q")] });

    for (const layer of state.trace.layers) {
      const calls = layer.calls;
      expect(calls.every((c) => c.latencyMs >= delayMs - 5)).toBe(true);
      // Sum of the proposers' times would be 600 ms; concurrent execution needs one proposer's time.
      expect(layer.wallMs).toBeLessThan(2 * delayMs);
    }
    const proposalsOfLayer1 = state.proposals.filter((p) => p.layer === 1);
    const lastStart = Math.max(...proposalsOfLayer1.map((p) => p.startedAt));
    const firstEnd = Math.min(...proposalsOfLayer1.map((p) => p.endedAt));
    expect(lastStart).toBeLessThan(firstEnd);
    expect(state.trace.wallMs).toBeLessThan(2 * 2 * delayMs);
  });
});
