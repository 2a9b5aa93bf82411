/**
 * What a thread stores grows with the conversation, not with a turn's internals: an answered turn is stored
 * without its proposals and references (the run's result still has them), its answer carries a summary of
 * the turn rather than the trace, and a turn paused at an interrupt still resumes with its references.
 */
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { buildMixtureOfAgents, createMixtureOfAgents, getMoASummary, getMoATrace } from "../src/index.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

/** The bytes `saver` holds for `thread`: its checkpoints, their metadata and the pending writes. */
function storedBytes(saver: MemorySaver, thread: string): number {
  let bytes = 0;
  for (const checkpoints of Object.values(saver.storage[thread] ?? {})) {
    for (const [checkpoint, metadata] of Object.values(checkpoints)) bytes += checkpoint.length + metadata.length;
  }
  for (const [key, writes] of Object.entries(saver.writes)) if (key.includes(thread)) bytes += JSON.stringify(Object.values(writes)).length;
  return bytes;
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(" ");
const mixture = (proposerWords: number, checkpointer: MemorySaver) =>
  createMixtureOfAgents({
    proposers: [0, 1, 2].map((i) => new ScriptedChatModel({ model: `p${i}`, answer: words(proposerWords) })),
    aggregator: new ScriptedChatModel({ model: "agg", answer: "the answer" }),
    layers: 2,
    checkpointer,
  });

describe("what a thread stores of an answered turn", () => {
  it("does not grow with the proposers' words: 10 or 2,000 words each, the same bytes within a few", async () => {
    const stored: number[] = [];
    for (const n of [10, 2_000]) {
      const saver = new MemorySaver();
      const state = await mixture(n, saver).invoke({ messages: [new HumanMessage("q")] }, { configurable: { thread_id: "t" } });
      expect(state.proposals).toHaveLength(6);
      expect(state.references).toHaveLength(3);
      stored.push(storedBytes(saver, "t"));
    }
    // 2,000 words are about 17,000 characters a proposal, six proposals and three references a turn.
    expect(Math.abs((stored[1] as number) - (stored[0] as number))).toBeLessThan(100);
  });

  it("keeps the answer's summary, not the trace; the trace is the thread's state of that turn, and getMoATrace's in this process", async () => {
    const saver = new MemorySaver();
    const graph = mixture(10, saver);
    const config = { configurable: { thread_id: "summary" } };
    const state = await graph.invoke({ messages: [new HumanMessage("q")] }, config);
    const saved = await graph.getState(config);
    const answer = saved.values.messages.at(-1);
    expect(getMoASummary(answer)).toEqual({ turnId: state.turnId, answeredBy: "agg", layers: 2, calls: 7, wallMs: state.trace.wallMs });
    expect(saved.values.trace).toEqual(state.trace);
    expect(saved.values.proposals).toEqual([]);
    expect(getMoATrace(answer)).toEqual(state.trace);
  });

  it("a turn paused before the aggregator resumes with its references", async () => {
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "the answer" });
    const graph = buildMixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p", answer: "a proposal" })], aggregator }).compile({
      checkpointer: new MemorySaver(),
      interruptBefore: ["aggregate"],
    });
    const config = { configurable: { thread_id: "paused" } };
    await graph.invoke({ messages: [new HumanMessage("q")] }, config);
    expect((await graph.getState(config)).next).toEqual(["aggregate"]);
    const resumed = await graph.invoke(null, config);
    expect(resumed.messages.at(-1)?.text).toBe("the answer");
    expect(aggregator.calls[0]?.at(-1)?.text).toContain("a proposal");
  });
});
