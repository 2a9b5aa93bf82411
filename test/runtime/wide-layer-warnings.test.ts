/**
 * A layer of many calls is many abort listeners on one signal of LangGraph's, not a leak: no width of
 * MoA makes Node print a `MaxListenersExceededWarning`, whichever way the turn is run.
 */
import { setMaxListeners } from "node:events";
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { MixtureOfAgents, createMixtureOfAgents, type MixtureOfAgentsOptions } from "../../src/index.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";
import { warningsDuring } from "./process-warnings.js";

const question = () => ({ messages: [new HumanMessage("q")] });

/** Proposers answering a little apart in time, so that every call of a layer is in flight at once. */
function proposers(count: number) {
  return Array.from({ length: count }, (_, i) => new ScriptedChatModel({ model: `p${i}`, delayMs: 5 + (i % 3) }));
}

const widths: Array<[string, () => Pick<MixtureOfAgentsOptions, "proposers" | "aggregator">]> = [
  ["11 proposers", () => ({ proposers: proposers(11), aggregator: new ScriptedChatModel({ model: "agg" }) })],
  ["12 proposers", () => ({ proposers: proposers(12), aggregator: new ScriptedChatModel({ model: "agg" }) })],
  ["50 proposers", () => ({ proposers: proposers(50), aggregator: new ScriptedChatModel({ model: "agg" }) })],
  ["4 proposers x 3 samples", () => ({ proposers: proposers(4).map((model) => ({ model, samples: 3 })), aggregator: new ScriptedChatModel({ model: "agg" }) })],
];

describe("the warning detector", () => {
  it("sees the warning of 11 listeners on one signal (so the tests below can fail)", async () => {
    const controller = new AbortController();
    // Node 20's default limit for every signal; Node 24 sets none for signals, so nothing can warn there.
    setMaxListeners(10, controller.signal);
    const listeners = Array.from({ length: 11 }, () => () => undefined);
    const seen = await warningsDuring(async () => listeners.forEach((listener) => controller.signal.addEventListener("abort", listener)));
    listeners.forEach((listener) => controller.signal.removeEventListener("abort", listener));
    expect(seen).toHaveLength(1);
  });
});

describe.each(widths)("%s in a layer print no MaxListenersExceededWarning", (_, models) => {
  it("graph.invoke, two layers", async () => {
    const seen = await warningsDuring(async () => {
      const state = await createMixtureOfAgents({ ...models(), layers: 2 }).invoke(question());
      expect(state.trace.layers).toHaveLength(2);
    });
    expect(seen).toEqual([]);
  });

  it("graph.stream (updates and messages), with a caller's signal", async () => {
    const seen = await warningsDuring(async () => {
      const controller = new AbortController();
      const graph = createMixtureOfAgents(models());
      for await (const _ of await graph.stream(question(), { streamMode: ["updates", "messages"], signal: controller.signal })) {
        // drain
      }
    });
    expect(seen).toEqual([]);
  });

  it("graph.invoke on a thread of its checkpointer, with a caller's signal and timeout", async () => {
    const seen = await warningsDuring(async () => {
      const graph = createMixtureOfAgents({ ...models(), checkpointer: new MemorySaver() });
      const state = await graph.invoke(question(), { configurable: { thread_id: "t" }, signal: new AbortController().signal, timeout: 10_000 });
      expect(state.messages).toHaveLength(2);
    });
    expect(seen).toEqual([]);
  });

  it("MixtureOfAgents.invoke, with and without a caller's signal", async () => {
    const seen = await warningsDuring(async () => {
      const moa = new MixtureOfAgents(models());
      await moa.invoke("q");
      const answer = await moa.invoke("q", { signal: new AbortController().signal });
      expect(answer.text).toBe("agg answer 2");
    });
    expect(seen).toEqual([]);
  });

  it("MixtureOfAgents.stream, with and without a caller's signal", async () => {
    const seen = await warningsDuring(async () => {
      const moa = new MixtureOfAgents(models());
      for (const options of [{}, { signal: new AbortController().signal }]) {
        let text = "";
        for await (const chunk of await moa.stream("q", options)) text += chunk.text;
        expect(text).toMatch(/^agg answer/);
      }
    });
    expect(seen).toEqual([]);
  });
});

describe("a layer of 11 MoA chat models as proposers (each a graph run inside the outer run)", () => {
  it("prints no MaxListenersExceededWarning", async () => {
    const inner = (i: number) => new MixtureOfAgents({ proposers: proposers(11), aggregator: new ScriptedChatModel({ model: `inner-agg${i}` }) });
    const seen = await warningsDuring(async () => {
      const state = await createMixtureOfAgents({ proposers: Array.from({ length: 11 }, (_, i) => inner(i)), aggregator: new ScriptedChatModel({ model: "agg" }) }).invoke(question());
      expect(state.references).toHaveLength(11);
    });
    expect(seen).toEqual([]);
  });
});
