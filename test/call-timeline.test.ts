/**
 * Every call record of the trace says when the call started (`startedAt`, epoch milliseconds), so that with
 * `latencyMs` a turn can be drawn as a timeline: a layer's calls start once the layer before it has ended,
 * and the aggregator once the last layer has. The trace a thread stores at the end of a turn has them too.
 */
import { HumanMessage, type AIMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMixtureOfAgents, getMoASummary, type CallRecord, type MoATrace } from "../src/index.js";
import { startOpenAIServer } from "./support/openai-server.js";
import type { ProtocolServer } from "./support/protocol-server.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

const question = { messages: [new HumanMessage("q")] };
const endOf = (call: CallRecord) => call.startedAt + call.latencyMs;
const lastEnd = (calls: readonly CallRecord[]) => Math.max(...calls.map(endOf));

function expectTimeline(trace: MoATrace): void {
  const [first, ...later] = trace.layers;
  expect(first).toBeDefined();
  let previous = first?.calls ?? [];
  for (const layer of later) {
    for (const call of layer.calls) expect(call.startedAt).toBeGreaterThanOrEqual(lastEnd(previous));
    previous = layer.calls;
  }
  for (const call of trace.aggregator) expect(call.startedAt).toBeGreaterThanOrEqual(lastEnd(previous));
}

describe("call start times", () => {
  it("place layer 2 after layer 1 and the aggregator after layer 2, each call within the turn's wall time", async () => {
    const before = Date.now();
    const state = await createMixtureOfAgents({
      proposers: [new ScriptedChatModel({ model: "quick", delayMs: 2 }), new ScriptedChatModel({ model: "slow", delayMs: 30 })],
      aggregator: new ScriptedChatModel({ model: "agg", delayMs: 2 }),
      layers: 2,
    }).invoke(question);
    const after = Date.now();
    const records = [...state.trace.layers.flatMap((layer) => layer.calls), ...state.trace.aggregator];

    expect(records).toHaveLength(5);
    // Epoch milliseconds, read from a monotonic clock: Date.now() may be a few milliseconds apart from it.
    for (const call of records) {
      expect(call.startedAt).toBeGreaterThanOrEqual(before - 50);
      expect(endOf(call)).toBeLessThanOrEqual(after + 50);
    }
    expectTimeline(state.trace);
    // The slow proposer holds layer 2 back: the quick one waits for it.
    const [quick2] = state.trace.layers[1]?.calls ?? [];
    const slow1 = state.trace.layers[0]?.calls[1];
    expect(quick2?.startedAt).toBeGreaterThanOrEqual(endOf(slow1 as CallRecord));
    const firstStart = Math.min(...records.map((call) => call.startedAt));
    expect(firstStart + state.trace.wallMs).toBeCloseTo(lastEnd(records), 6);
  });

  it("order an aggregator that failed before the fallback that answered", async () => {
    const state = await createMixtureOfAgents({
      proposers: [new ScriptedChatModel({ model: "p" })],
      aggregator: [new ScriptedChatModel({ model: "broken", delayMs: 5, fail: new Error("down") }), new ScriptedChatModel({ model: "backup" })],
    }).invoke(question);
    const [broken, backup] = state.trace.aggregator;
    expect([broken?.status, backup?.status]).toEqual(["failed", "ok"]);
    expect(broken?.latencyMs).toBeGreaterThan(0);
    expect(backup?.startedAt).toBeGreaterThanOrEqual(endOf(broken as CallRecord));
    expectTimeline(state.trace);
  });

  it("are in the trace of the thread's checkpoint that ended the turn", async () => {
    const graph = createMixtureOfAgents({
      proposers: [new ScriptedChatModel({ model: "p1" }), new ScriptedChatModel({ model: "p2" })],
      aggregator: { model: new ScriptedChatModel({ model: "agg" }), price: { inputPerMTok: 1, outputPerMTok: 2 } },
      layers: 2,
      checkpointer: new MemorySaver(),
    });
    const config = { configurable: { thread_id: "timeline" } };
    const state = await graph.invoke(question, config);
    const { turnId } = getMoASummary(state.messages.at(-1) as AIMessage) ?? {};
    let ended: MoATrace | undefined;
    for await (const snapshot of graph.getStateHistory(config)) {
      if (snapshot.values.turnId === turnId && snapshot.next.length === 0) ended ??= snapshot.values.trace as MoATrace;
    }
    expect(ended).toEqual(state.trace);
    const records = [...(ended?.layers.flatMap((layer) => layer.calls) ?? []), ...(ended?.aggregator ?? [])];
    expect(records.map((call) => typeof call.startedAt)).toEqual(Array(5).fill("number"));
    expect(ended?.aggregator[0]?.cost).toBe((10 * 1 + 5 * 2) / 1e6);
    expect(ended?.costMissing).toHaveLength(4);
  });
});

describe("the start time of a call not made", () => {
  let server: ProtocolServer;
  beforeAll(async () => {
    // No fallback: a model the server does not have gets a 404, which no later layer asks again.
    server = await startOpenAIServer({ models: { fine: { text: "fine answer" }, writer: { text: "the answer" } } });
  });
  afterAll(() => server?.close());

  it("is the moment it was skipped, after the layer before it, with no latency", async () => {
    const at = (model: string) => ({ model: `openai:${model}`, apiKey: "sk-test", baseURL: `${server.url}/v1` });
    const state = await createMixtureOfAgents({ proposers: [at("fine"), at("gpt-4o-mni")], aggregator: at("writer"), layers: 2, retry: false }).invoke(question);
    const skipped = state.trace.layers[1]?.calls.find((call) => call.skipped !== undefined);
    expect(skipped).toMatchObject({ id: "openai:gpt-4o-mni", status: "failed", latencyMs: 0 });
    expect(skipped?.startedAt).toBeGreaterThanOrEqual(lastEnd(state.trace.layers[0]?.calls ?? []));
    expectTimeline(state.trace);
  });
});
