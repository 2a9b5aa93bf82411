import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { DEFAULT_AGGREGATOR_PROMPT, PROPOSAL_EVENT, createMixtureOfAgents, getMoATrace } from "../src/index.js";
import { brief, expectedReferenceText, withReferencesAtEnd } from "./support/conversation.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

function proposer(name: string, delayMs = 0) {
  return new ScriptedChatModel({ model: name, delayMs, answer: (_m, call) => `${name} answer in layer ${call + 1}`, usage: { input: 7, output: 3 } });
}

describe.each([1, 2, 3])("with %i layer(s)", (layers) => {
  it.each([1, 2, 3, 4])("and %i proposer(s), each model receives exactly the messages of the algorithm", async (count) => {
    const proposers = Array.from({ length: count }, (_, i) => proposer(`p${i + 1}`));
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "final", usage: { input: 20, output: 9 } });
    const graph = createMixtureOfAgents({ proposers, aggregator, layers });
    const history = [new HumanMessage("What is 2+2?"), new AIMessage("4."), new HumanMessage("And times 3?")];

    const state = await graph.invoke({ messages: history });

    const conversation = brief(history);
    const answersOf = (layer: number) => proposers.map((p) => `${p.model} answer in layer ${layer}`);
    for (const p of proposers) {
      expect(p.calls).toHaveLength(layers);
      expect(brief(p.calls[0] ?? [])).toEqual(conversation);
      for (let layer = 2; layer <= layers; layer++) {
        expect(brief(p.calls[layer - 1] ?? [])).toEqual(withReferencesAtEnd(conversation, expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, answersOf(layer - 1))));
      }
    }
    expect(aggregator.calls).toHaveLength(1);
    expect(brief(aggregator.calls[0] ?? [])).toEqual(withReferencesAtEnd(conversation, expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, answersOf(layers))));

    expect(brief(state.messages)).toEqual([...conversation, ["ai", "final"]]);
    const answer = state.messages.at(-1) as AIMessage;
    const calls = count * layers + 1;
    expect(answer.usage_metadata).toMatchObject({
      input_tokens: 7 * count * layers + 20,
      output_tokens: 3 * count * layers + 9,
      total_tokens: 10 * count * layers + 29,
    });
    const trace = getMoATrace(answer);
    expect(trace?.calls).toBe(calls);
    expect(trace?.layers.map((l) => l.calls.map((c) => c.id))).toEqual(Array.from({ length: layers }, () => proposers.map((p) => p.model)));
    expect(trace?.layers.map((l) => l.usage?.total_tokens)).toEqual(Array.from({ length: layers }, () => 10 * count));
    expect(trace?.aggregator.map((c) => [c.id, c.status, c.usage?.total_tokens])).toEqual([["agg", "ok", 29]]);
    expect(state.trace).toEqual(trace);
  });
});

describe("the algorithm", () => {
  it("by default appends the references to the user's last message, keeping the caller's system message and the history", async () => {
    const p1 = proposer("p1");
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "final" });
    const graph = createMixtureOfAgents({ proposers: [p1], aggregator });
    const conversation = [new SystemMessage("You are terse."), new HumanMessage("Name a colour.")];

    await graph.invoke({ messages: conversation });

    expect(brief(p1.calls[0] ?? [])).toEqual([["system", "You are terse."], ["human", "Name a colour."]]);
    expect(brief(aggregator.calls[0] ?? [])).toEqual([
      ["system", "You are terse."],
      ["human", `Name a colour.\n\n${expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, ["p1 answer in layer 1"])}`],
    ]);
    expect(brief(conversation)).toEqual([["system", "You are terse."], ["human", "Name a colour."]]);
  });

  it('with referencePlacement "system_message", appends the references to the caller\'s system message and keeps the history', async () => {
    const p1 = proposer("p1");
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "final" });
    const graph = createMixtureOfAgents({ proposers: [p1], aggregator, referencePlacement: "system_message" });
    const conversation = [new SystemMessage("You are terse."), new HumanMessage("Name a colour.")];

    await graph.invoke({ messages: conversation });

    expect(brief(p1.calls[0] ?? [])).toEqual([["system", "You are terse."], ["human", "Name a colour."]]);
    expect(brief(aggregator.calls[0] ?? [])).toEqual([
      ["system", `You are terse.\n\n${expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, ["p1 answer in layer 1"])}`],
      ["human", "Name a colour."],
    ]);
  });

  it("orders the references by proposer, not by arrival", async () => {
    const slow = proposer("slow", 80);
    const fast = proposer("fast", 0);
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "final" });
    const arrivals: string[] = [];
    const graph = createMixtureOfAgents({ proposers: [slow, fast], aggregator });

    for await (const event of await graph.stream({ messages: [new HumanMessage("q")] }, { streamMode: "custom" })) {
      if ((event as { event: string }).event === PROPOSAL_EVENT) arrivals.push((event as { id: string }).id);
    }

    expect(arrivals).toEqual(["fast", "slow"]);
    expect(brief(aggregator.calls[0] ?? [])).toEqual(
      withReferencesAtEnd([["human", "q"]], expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, ["slow answer in layer 1", "fast answer in layer 1"])),
    );
  });

  it("rounds: 0 is one proposer layer, then aggregation", async () => {
    const p1 = proposer("p1");
    const aggregator = new ScriptedChatModel({ model: "agg" });
    await createMixtureOfAgents({ proposers: [p1], aggregator, rounds: 0 }).invoke({ messages: [new HumanMessage("q")] });
    expect(p1.calls).toHaveLength(1);
    expect(aggregator.calls).toHaveLength(1);
  });

  it("rounds: 2 is three proposer layers", async () => {
    const p1 = proposer("p1");
    const aggregator = new ScriptedChatModel({ model: "agg" });
    await createMixtureOfAgents({ proposers: [p1], aggregator, rounds: 2 }).invoke({ messages: [new HumanMessage("q")] });
    expect(p1.calls).toHaveLength(3);
  });

  it("samples one model several times (Self-MoA) and numbers the samples", async () => {
    const model = new ScriptedChatModel({ model: "solo", answer: (_m, call) => `sample ${call + 1}` });
    const other = proposer("other");
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const state = await createMixtureOfAgents({ proposers: [{ model, samples: 3 }, other], aggregator }).invoke({
      messages: [new HumanMessage("q")],
    });

    expect(model.calls).toHaveLength(3);
    expect(state.trace.layers[0]?.calls.map((c) => c.id)).toEqual(["solo#1", "solo#2", "solo#3", "other"]);
    // The three samples answer concurrently, so which sample got which answer is arrival order; the
    // references are still ordered by proposer slot, and every answer is there once.
    const injected = aggregator.calls[0]?.[0]?.text ?? "";
    const references = [...injected.matchAll(/^(\d)\. (.*)$/gm)].map((m) => [m[1], m[2]]);
    expect(references.map(([n]) => n)).toEqual(["1", "2", "3", "4"]);
    expect(references.slice(0, 3).map(([, text]) => text).sort()).toEqual(["sample 1", "sample 2", "sample 3"]);
    expect(references[3]?.[1]).toBe("other answer in layer 1");
  });

  it("puts a model's own system prompt in front of the conversation's", async () => {
    const p1 = proposer("p1");
    const aggregator = new ScriptedChatModel({ model: "agg" });
    await createMixtureOfAgents({ proposers: [{ model: p1, system: "Answer as a poet." }], aggregator }).invoke({
      messages: [new SystemMessage("Be brief."), new HumanMessage("q")],
    });
    expect(brief(p1.calls[0] ?? [])).toEqual([["system", "Answer as a poet.\n\nBe brief."], ["human", "q"]]);
  });

  it("sums only the usage that was reported", async () => {
    const reporting = proposer("reporting");
    const silent = new ScriptedChatModel({ model: "silent", usage: null });
    const aggregator = new ScriptedChatModel({ model: "agg", usage: { input: 1, output: 2 } });
    const state = await createMixtureOfAgents({ proposers: [reporting, silent], aggregator }).invoke({ messages: [new HumanMessage("q")] });
    const answer = state.messages.at(-1) as AIMessage;
    expect(answer.usage_metadata).toMatchObject({ input_tokens: 8, output_tokens: 5, total_tokens: 13 });
    expect(state.trace.layers[0]?.calls.map((c) => c.usage)).toEqual([{ input_tokens: 7, output_tokens: 3, total_tokens: 10 }, undefined]);
  });
});
