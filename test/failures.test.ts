import { HumanMessage, type AIMessageChunk } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { AggregatorFailedError, MixtureOfAgents, ProposersFailedError, createMixtureOfAgents } from "../src/index.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

const question = { messages: [new HumanMessage("q")] };
const rateLimited = () => Object.assign(new Error("rate limited"), { name: "RateLimitError", status: 429 });

describe("failure policy", () => {
  it("a failed proposer is left out of the references and recorded in the trace", async () => {
    const good = new ScriptedChatModel({ model: "good", answer: "fine" });
    const bad = new ScriptedChatModel({ model: "bad", fail: rateLimited() });
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const state = await createMixtureOfAgents({ proposers: [bad, good], aggregator }).invoke(question);

    expect(aggregator.calls[0]?.[0]?.text).toMatch(/Candidate responses:\n\n1\. fine$/);
    expect(state.trace.layers[0]?.calls.map((c) => [c.id, c.status, c.error])).toEqual([
      ["bad", "failed", "bad: RateLimitError: rate limited"],
      ["good", "ok", undefined],
    ]);
    expect(state.proposals[0]?.error ?? state.proposals[1]?.error).toMatchObject({ name: "RateLimitError", status: 429 });
  });

  it("fewer than minProposals successes throw ProposersFailedError with each cause, named once", async () => {
    const bad = new ScriptedChatModel({ model: "bad", fail: rateLimited() });
    const good = new ScriptedChatModel({ model: "good" });
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const error = await createMixtureOfAgents({ proposers: [bad, good], aggregator, minProposals: 2 }).invoke(question).catch((e: unknown) => e);

    expect(ProposersFailedError.isInstance(error)).toBe(true);
    const failed = error as ProposersFailedError;
    expect(failed.name).toBe("ProposersFailedError");
    expect(failed.layer).toBe(1);
    expect(failed.message).toBe("Layer 1: 1 proposal(s) succeeded, at least 2 required (minProposals). Causes: bad: RateLimitError: rate limited");
    expect(failed.failures.map((f) => [f.id, f.error.name, (f.error as Error & { status?: number }).status])).toEqual([["bad", "RateLimitError", 429]]);
    expect(aggregator.calls).toHaveLength(0);
  });

  it("the aggregator's fallbacks are tried in order", async () => {
    const primary = new ScriptedChatModel({ model: "primary", fail: new Error("down") });
    const backup = new ScriptedChatModel({ model: "backup", answer: "from backup" });
    const state = await createMixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator: [primary, backup] }).invoke(question);
    expect(state.messages.at(-1)?.text).toBe("from backup");
    expect(state.trace.aggregator.map((c) => [c.id, c.status, c.error])).toEqual([["primary", "failed", "primary: down"], ["backup", "ok", undefined]]);
    expect(state.trace.calls).toBe(3);
  });

  it("every aggregator failing throws AggregatorFailedError with each cause", async () => {
    const a1 = new ScriptedChatModel({ model: "a1", fail: new Error("down") });
    const a2 = new ScriptedChatModel({ model: "a2", fail: new Error("gone") });
    const error = await createMixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator: [a1, a2] }).invoke(question).catch((e: unknown) => e);
    expect(AggregatorFailedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("The aggregator failed. Causes: a1: down; a2: gone");
  });

  it("an aggregator that fails after streaming tokens is not replaced: a stream cannot take tokens back", async () => {
    const primary = new ScriptedChatModel({ model: "primary", answer: "partial answer here", failMidStream: new Error("cut") });
    const backup = new ScriptedChatModel({ model: "backup", answer: "whole answer" });
    const moa = new MixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator: [primary, backup] });
    const chunks: AIMessageChunk[] = [];
    const error = await (async () => {
      for await (const chunk of await moa.stream("q")) chunks.push(chunk);
    })().catch((e: unknown) => e);

    expect(AggregatorFailedError.isInstance(error)).toBe(true);
    expect(chunks.map((c) => c.text).join("")).toBe("partial ");
    expect(backup.calls).toHaveLength(0);
    expect((error as AggregatorFailedError).failures.map((f) => f.error.message)).toEqual(["primary: cut"]);
  });
});

describe("limits of the graph", () => {
  it("runs 12 layers (beyond LangGraph's default recursion limit of 25 steps)", async () => {
    const p = new ScriptedChatModel({ model: "p" });
    const state = await createMixtureOfAgents({ proposers: [p], aggregator: new ScriptedChatModel({ model: "agg" }), layers: 12 }).invoke(question);
    expect(p.calls).toHaveLength(12);
    expect(state.trace.layers).toHaveLength(12);
    expect((await new MixtureOfAgents({ proposers: [p], aggregator: new ScriptedChatModel({ model: "agg" }), layers: 12 }).invoke("q")).text).toBe("agg answer 1");
  });
});
