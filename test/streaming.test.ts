import { AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_AGGREGATOR_PROMPT, MixtureOfAgents, PROPOSAL_EVENT, PROPOSAL_START_EVENT, createMixtureOfAgents, getMoATrace, type ProposalEvent, type ProposalStartEvent } from "../src/index.js";
import { brief, expectedReferenceText, withReferencesAtEnd } from "./support/conversation.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

function models() {
  return {
    proposers: [new ScriptedChatModel({ model: "p1", answer: "alpha beta" }), new ScriptedChatModel({ model: "p2", answer: "gamma delta", delayMs: 20 })],
    aggregator: new ScriptedChatModel({ model: "agg", answer: "the final answer", usage: { input: 30, output: 3 } }),
  };
}

afterEach(() => vi.restoreAllMocks());

describe("graph streaming", () => {
  it("streamMode messages: the aggregator's tokens are told apart by tag and metadata", async () => {
    const graph = createMixtureOfAgents({ ...models(), layers: 2 });
    const aggregatorTokens: string[] = [];
    const roles = new Set<string>();
    for await (const [chunk, metadata] of await graph.stream({ messages: [new HumanMessage("q")] }, { streamMode: "messages" })) {
      roles.add(`${metadata.moa_role}:${metadata.moa_layer}`);
      if (metadata.moa_role === "aggregator") {
        expect(metadata.tags).toContain("moa:aggregator");
        expect(metadata.moa_proposer).toBe("agg");
        aggregatorTokens.push(chunk.text);
      }
    }
    expect(aggregatorTokens).toEqual(["the ", "final ", "answer"]);
    expect([...roles].sort()).toEqual(["aggregator:aggregate", "proposer:1", "proposer:2"]);
  });

  it("streamMode custom: each proposal is emitted as it starts and as it completes, with layer and model", async () => {
    const graph = createMixtureOfAgents({ ...models(), layers: 2 });
    const events: Array<ProposalEvent | ProposalStartEvent> = [];
    for await (const event of await graph.stream({ messages: [new HumanMessage("q")] }, { streamMode: "custom" })) {
      events.push(event as ProposalEvent | ProposalStartEvent);
    }
    expect(events.map((e) => [e.event, e.layer, e.id, "text" in e ? e.text : undefined])).toEqual([
      [PROPOSAL_START_EVENT, 1, "p1", undefined],
      [PROPOSAL_START_EVENT, 1, "p2", undefined],
      [PROPOSAL_EVENT, 1, "p1", "alpha beta"],
      [PROPOSAL_EVENT, 1, "p2", "gamma delta"],
      [PROPOSAL_START_EVENT, 2, "p1", undefined],
      [PROPOSAL_START_EVENT, 2, "p2", undefined],
      [PROPOSAL_EVENT, 2, "p1", "alpha beta"],
      [PROPOSAL_EVENT, 2, "p2", "gamma delta"],
    ]);
    const started = events.filter((e) => e.event === PROPOSAL_START_EVENT);
    const finished = events.filter((e): e is ProposalEvent => e.event === PROPOSAL_EVENT);
    for (const [i, start] of started.entries()) expect(start.startedAt).toBeLessThanOrEqual(finished[i]!.startedAt);
  });
});

describe("MixtureOfAgents.stream", () => {
  it("yields only the final answer's chunks, then one chunk with the turn's usage and trace", async () => {
    const moa = new MixtureOfAgents({ ...models(), layers: 2 });
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await moa.stream([new HumanMessage("q")])) chunks.push(chunk);

    expect(chunks.map((c) => c.text)).toEqual(["the ", "final ", "answer", ""]);
    const whole = chunks.reduce((a, b) => a.concat(b));
    expect(whole.text).toBe("the final answer");
    // 4 proposer calls at 10 in / 5 out, and the aggregator at 30 / 3.
    expect(whole.usage_metadata).toMatchObject({ input_tokens: 70, output_tokens: 23, total_tokens: 93 });
    expect(getMoATrace(whole)?.calls).toBe(5);
  });

  it("streams only the aggregator's call; proposers answer in one piece", async () => {
    const { proposers, aggregator } = models();
    for await (const _chunk of await new MixtureOfAgents({ proposers, aggregator }).stream("q")) void _chunk;
    expect(proposers.map((p) => p.streamedTokens)).toEqual([0, 0]);
    expect(aggregator.streamedTokens).toBe(3);
  });

  it("invoke returns the same answer with usage and trace", async () => {
    const moa = new MixtureOfAgents({ ...models() });
    const answer = await moa.invoke("q");
    expect(answer.text).toBe("the final answer");
    expect(answer.usage_metadata).toMatchObject({ input_tokens: 50, output_tokens: 13, total_tokens: 63 });
    expect(getMoATrace(answer)?.layers).toHaveLength(1);
  });

  it("aborts the turn when the consumer stops reading", async () => {
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "one two three four five six", tokenDelayMs: 30 });
    const moa = new MixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator });
    for await (const chunk of await moa.stream("q")) {
      expect(chunk.text).toBe("one ");
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(aggregator.streamedTokens).toBeLessThan(3);
  });

  it("showInternal: true prints each proposal with its layer and model", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    const moa = new MixtureOfAgents({ ...models(), rounds: 1, showInternal: true });
    await moa.invoke("q");
    const printed = info.mock.calls.map((args) => String(args[0]));
    expect(printed).toHaveLength(4);
    expect(printed[0]).toMatch(/^\[MoA layer 1 · p1 · \d+\.\ds · 10 tokens in, 5 out\]\nalpha beta$/);
    expect(printed.filter((line) => line.startsWith("[MoA layer 2 · p2"))).toHaveLength(1);
  });

  it("showInternal: false prints nothing; a function receives each proposal", async () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    await new MixtureOfAgents({ ...models() }).invoke("q");
    expect(info).not.toHaveBeenCalled();

    const seen: string[] = [];
    await new MixtureOfAgents({ ...models(), showInternal: (p) => seen.push(`${p.layer}:${p.id}`) }).invoke("q");
    expect(seen.sort()).toEqual(["1:p1", "1:p2"]);
  });

  it("emits each proposal as the callback event moa_proposal", async () => {
    const events: Array<{ name: string; data: ProposalEvent }> = [];
    class Recorder extends BaseCallbackHandler {
      name = "recorder";
      override handleCustomEvent(name: string, data: ProposalEvent) {
        events.push({ name, data });
      }
    }
    const moa = new MixtureOfAgents({ ...models() }).withConfig({ callbacks: [new Recorder()] });
    await moa.invoke("q");
    expect(events.map((e) => [e.name, e.data.layer, e.data.model]).sort()).toEqual([
      [PROPOSAL_EVENT, 1, "p1"],
      [PROPOSAL_EVENT, 1, "p2"],
    ]);
  });

  it("keeps the conversation given to it intact", async () => {
    const { proposers, aggregator } = models();
    const conversation: BaseMessage[] = [new HumanMessage("q")];
    await new MixtureOfAgents({ proposers, aggregator }).invoke(conversation);
    expect(conversation).toHaveLength(1);
    expect(conversation[0]?.text).toBe("q");
    expect(brief(aggregator.calls[0] ?? [])).toEqual(withReferencesAtEnd([["human", "q"]], expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, ["alpha beta", "gamma delta"])));
  });
});
