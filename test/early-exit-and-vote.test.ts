import { HumanMessage, type AIMessageChunk } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgent } from "langchain";
import { MixtureOfAgents, MoAConfigError, MoATimeoutError, createMixtureOfAgents, getMoATrace, type MoAState } from "../src/index.js";
import { sentenceBleu } from "../src/agreement/bleu.js";
import { normalizeAnswer } from "../src/agreement/similarity.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";
import { streamedAnswer } from "./support/streamed-answer.js";

const proposer = (model: string, answer: string) => new ScriptedChatModel({ model, answer, usage: { input: 10, output: 2 } });
const question = { messages: [new HumanMessage("What is the capital of France?")] };

/** The aggregator-role tokens of a `messages` stream, and the final state. */
async function streamed(graph: ReturnType<typeof createMixtureOfAgents>): Promise<{ tokens: string[]; state: MoAState | undefined }> {
  const tokens: string[] = [];
  let state: MoAState | undefined;
  const stream = await graph.stream(question, { streamMode: ["messages", "values"] });
  for await (const [mode, payload] of stream as AsyncIterable<[string, unknown]>) {
    if (mode === "values") state = payload as MoAState;
    else {
      const [chunk, metadata] = payload as [AIMessageChunk, Record<string, unknown>];
      if (metadata.moa_role === "aggregator") tokens.push(chunk.text);
    }
  }
  return { tokens, state };
}

describe("earlyExit: stop when a layer's proposals agree", () => {
  it("skips the remaining layers when the proposals agree once normalized, and says so in the trace", async () => {
    const proposers = [proposer("a", "Paris."), proposer("b", "**paris**"), proposer("c", "Paris")];
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "Paris is the capital." });
    const state = await createMixtureOfAgents({ proposers, aggregator, layers: 3, earlyExit: true }).invoke(question);

    expect(proposers.map((p) => p.calls.length)).toEqual([1, 1, 1]);
    expect(aggregator.calls).toHaveLength(1);
    expect(aggregator.calls[0]?.at(-1)?.text).toContain("1. Paris.\n\n2. **paris**\n\n3. Paris");
    expect(state.trace.earlyExit).toEqual({ layer: 1, reason: "the 3 proposals of layer 1 agree (normalized_text)", skippedLayers: 2 });
    expect(state.trace.calls).toBe(4);
    expect(state.messages.at(-1)?.text).toBe("Paris is the capital.");
  });

  it("runs every layer when the proposals differ", async () => {
    const proposers = [proposer("a", "Paris."), proposer("b", "Lyon.")];
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "Paris." });
    const state = await createMixtureOfAgents({ proposers, aggregator, layers: 2, earlyExit: true }).invoke(question);
    expect(proposers.map((p) => p.calls.length)).toEqual([2, 2]);
    expect(state.trace.earlyExit).toBeUndefined();
  });

  it("with skipAggregator, answers with the agreed proposal, streamed token by token, and calls no aggregator", async () => {
    const proposers = [proposer("a", "The capital of France is Paris."), proposer("b", "the capital of france is paris")];
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const { tokens, state } = await streamed(createMixtureOfAgents({ proposers, aggregator, layers: 2, earlyExit: { skipAggregator: true } }));

    expect(aggregator.calls).toHaveLength(0);
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.join("")).toBe("The capital of France is Paris.");
    expect(state?.messages.at(-1)?.text).toBe("The capital of France is Paris.");
    expect(state?.trace.earlyExit).toEqual({ layer: 1, reason: "the 2 proposals of layer 1 agree (normalized_text)", skippedLayers: 1, answeredBy: "a" });
    expect(state?.trace.aggregator).toEqual([]);
    expect(state?.trace.calls).toBe(2);
    expect(state?.trace.usage?.input_tokens).toBe(20);
  });

  it("still calls the aggregator when the answer must call tools (only an aggregator can)", async () => {
    const proposers = [proposer("a", "Look it up."), proposer("b", "look it up")];
    const aggregator = new ScriptedChatModel({ model: "agg", toolCalls: [{ name: "lookup", args: { q: "capital of France" } }] });
    const lookup = tool(async () => "Paris", { name: "lookup", description: "Looks a fact up.", schema: z.object({ q: z.string() }) });
    const state = await createMixtureOfAgents({ proposers, aggregator, layers: 2, tools: [lookup], earlyExit: { skipAggregator: true } }).invoke(question);
    expect(aggregator.calls).toHaveLength(1);
    expect(state.trace.earlyExit).toEqual({ layer: 1, reason: "the 2 proposals of layer 1 agree (normalized_text)", skippedLayers: 1 });
  });

  it("takes a similarity function and a threshold (e.g. one built on a LangChain Embeddings)", async () => {
    const proposers = [proposer("a", "Paris, on the Seine."), proposer("b", "It is Paris.")];
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "Paris." });
    const mentionsParis = (x: string, y: string) => (/paris/i.test(x) && /paris/i.test(y) ? 0.8 : 0);
    const state = await createMixtureOfAgents({ proposers, aggregator, layers: 2, similarity: mentionsParis, earlyExit: { threshold: 0.75 } }).invoke(question);
    expect(state.trace.earlyExit?.reason).toBe("the 2 proposals of layer 1 agree (function >= 0.75)");
    const strict = await createMixtureOfAgents({ proposers, aggregator, layers: 2, similarity: mentionsParis, earlyExit: { threshold: 0.9 } }).invoke(question);
    expect(strict.trace.earlyExit).toBeUndefined();
  });
});

describe('aggregation: "vote" (More Agents Is All You Need)', () => {
  it("answers with the proposal most similar to the others, streams it, records the votes, and calls no aggregator", async () => {
    const answers = ["41", "42", "forty-two", "42.", "The answer is 42"];
    const proposers = answers.map((answer, i) => proposer(`s${i + 1}`, answer));
    const { tokens, state } = await streamed(createMixtureOfAgents({ proposers, aggregation: "vote" }));

    expect(tokens.join("")).toBe("42");
    expect(state?.messages.at(-1)?.text).toBe("42");
    expect(state?.trace.vote).toEqual({
      similarity: "normalized_text",
      votes: [{ id: "s1", score: 0 }, { id: "s2", score: 1 }, { id: "s3", score: 0 }, { id: "s4", score: 1 }, { id: "s5", score: 0 }],
      winner: "s2",
    });
    expect(state?.trace.calls).toBe(5);
    expect(state?.trace.aggregator).toEqual([]);
    expect((state?.messages.at(-1)?.response_metadata as { model?: string } | undefined)?.model).toBe("s2");
  });

  it("breaks a tie by proposer order", async () => {
    const proposers = [proposer("x", "red"), proposer("y", "blue"), proposer("z", "Blue"), proposer("w", "RED")];
    const state = await createMixtureOfAgents({ proposers, aggregation: "vote" }).invoke(question);
    expect(state.trace.vote?.winner).toBe("x");
  });

  it("compares open answers by BLEU, as the paper does for open-ended tasks", async () => {
    const proposers = [
      proposer("a", "Paris is the capital of France and its largest city."),
      proposer("b", "The capital of France is Paris, its largest city."),
      proposer("c", "Bananas are rich in potassium."),
    ];
    const state = await createMixtureOfAgents({ proposers, aggregation: "vote", similarity: "bleu" }).invoke(question);
    expect(["a", "b"]).toContain(state.trace.vote?.winner);
    const votes = state.trace.vote?.votes ?? [];
    expect(votes.find((v) => v.id === "c")?.score).toBeLessThan(Math.min(...votes.filter((v) => v.id !== "c").map((v) => v.score)));
  });

  it("works as the chat model's aggregation, and MixtureOfAgents.stream() yields the winner", async () => {
    const moa = new MixtureOfAgents({ proposers: [proposer("a", "yes"), proposer("b", "Yes."), proposer("c", "no")], aggregation: "vote" });
    const { text, final } = await streamedAnswer(moa, "Is Paris the capital of France?");
    expect(text).toBe("yes");
    expect(final ? getMoATrace(final)?.vote?.winner : undefined).toBe("a");
  });

  it("refuses what a vote cannot do, and an aggregator it would not call, naming the option", () => {
    const proposers = [proposer("a", "x")];
    const lookup = tool(async () => "", { name: "lookup", description: "Looks up.", schema: z.object({}) });
    expect(() => createMixtureOfAgents({ proposers, aggregation: "vote", tools: [lookup] })).toThrow(MoAConfigError);
    expect(() => createMixtureOfAgents({ proposers, aggregation: "vote", tools: [lookup] })).toThrow(/^Invalid tools: need an aggregator to call them/);
    expect(() => createMixtureOfAgents({ proposers, aggregator: proposers[0], aggregation: "vote" })).toThrow(/^Invalid aggregator: is not called with aggregation "vote"/);
    expect(() => createMixtureOfAgents({ proposers })).toThrow(/^Invalid aggregator: is required .* unless aggregation is "vote"/);
    expect(() => createMixtureOfAgents({ proposers, aggregation: "vote", similarity: "cosine" as "bleu" })).toThrow(/^Invalid similarity: expected "normalized_text", "bleu", a LangChain Embeddings or a function/);
  });

  it("fails a turn that asks for structured output before any model call", async () => {
    const a = proposer("a", "x");
    const moa = new MixtureOfAgents({ proposers: [a], aggregation: "vote" }).withStructuredOutput(z.object({ city: z.string() }));
    await expect(moa.invoke("Which city?")).rejects.toThrow(/Invalid aggregation: is "vote": the answer is a proposal's text/);
    expect(a.calls).toHaveLength(0);
  });
});

describe("the similarity measures", () => {
  it("normalizes case, punctuation, emphasis and spacing", () => {
    expect(normalizeAnswer("  **Paris.**\n")).toBe("paris");
    expect(normalizeAnswer("New-York,  USA")).toBe("new york usa");
  });

  it("BLEU is 1 for the same words, 0 for none in common, and in between for a paraphrase", () => {
    expect(sentenceBleu("the cat sat on the mat", "The cat sat on the mat.")).toBeCloseTo(1, 6);
    expect(sentenceBleu("the cat sat on the mat", "dogs bark loudly")).toBe(0);
    const paraphrase = sentenceBleu("the cat sat on the mat", "on the mat the cat sat");
    expect(paraphrase).toBeGreaterThan(0.2);
    expect(paraphrase).toBeLessThan(1);
  });
});

describe("comparing proposals, at its edges", () => {
  const three = () => [proposer("a", "yes"), proposer("b", "Yes."), proposer("c", "no")];

  it("a similarity that throws, or answers what is not a score, fails the turn naming similarity", async () => {
    const throwing = () => {
      throw new Error("boom in my similarity");
    };
    await expect(createMixtureOfAgents({ proposers: three(), aggregation: "vote", similarity: throwing }).invoke(question)).rejects.toThrow(
      "Invalid similarity: failed comparing 3 proposals: boom in my similarity",
    );
    await expect(createMixtureOfAgents({ proposers: three(), aggregation: "vote", similarity: () => "1" as unknown as number }).invoke(question)).rejects.toThrow(
      'Invalid similarity: failed comparing 3 proposals: expected a number from 0 to 1 (a cosine from -1); got string "1" for answers 1 and 2',
    );
    const oneVector = { embedDocuments: async () => [[1, 0]], embedQuery: async () => [1, 0] };
    await expect(createMixtureOfAgents({ proposers: three(), aggregation: "vote", similarity: oneVector }).invoke(question)).rejects.toThrow(
      "Invalid similarity: failed comparing 3 proposals: the Embeddings returned 1 vectors of 2 dimensions for 3 texts",
    );
  });

  it("an Embeddings is asked once per layer, and its cosine similarities vote", async () => {
    const asked: string[][] = [];
    const embeddings = {
      embedDocuments: async (texts: string[]) => {
        asked.push(texts);
        return texts.map((text) => (/yes/i.test(text) ? [1, 0.1] : [0, 1]));
      },
      embedQuery: async () => [0, 0],
    };
    const state = await createMixtureOfAgents({ proposers: three(), aggregation: "vote", similarity: embeddings }).invoke(question);
    expect(asked).toEqual([["yes", "Yes.", "no"]]);
    expect(state.trace.vote?.similarity).toBe("embeddings");
    expect(state.trace.vote?.winner).toBe("a");
  });

  it("the turn's timeout covers a slow similarity: the turn ends with MoATimeoutError at its deadline", async () => {
    const slow = () => new Promise<number>((resolve) => setTimeout(() => resolve(1), 1_500));
    const error = await createMixtureOfAgents({ proposers: three(), aggregation: "vote", similarity: slow, timeouts: { turnMs: 200 } }).invoke(question).catch((e: unknown) => e);
    expect(MoATimeoutError.isInstance(error)).toBe(true);
    expect((error as MoATimeoutError).scope).toBe("turn");
  });

  it("a vote serves an agent with no tools (createAgent binds an empty list)", async () => {
    const agent = createAgent({ model: new MixtureOfAgents({ proposers: three(), aggregation: "vote" }), tools: [] });
    const state = await agent.invoke({ messages: [new HumanMessage("Is it?")] });
    expect(state.messages.at(-1)?.text).toBe("yes");
  });

  it("refuses an early exit that has nothing to skip", () => {
    expect(() => createMixtureOfAgents({ proposers: three(), aggregator: proposer("agg", "x"), earlyExit: true })).toThrow(
      "Invalid earlyExit: has nothing to skip with one layer: give more layers, or { skipAggregator: true } to answer with agreed proposals",
    );
    expect(() => createMixtureOfAgents({ proposers: three(), aggregator: proposer("agg", "x"), earlyExit: { skipAggregator: true } })).not.toThrow();
  });
});
