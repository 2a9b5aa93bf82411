/**
 * A turn run with a caller's abort signal leaves no listener on it: after any number of turns the
 * signal has the listeners it had before (LangGraph's own run signal would keep one per turn).
 */
import { getEventListeners } from "node:events";
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { MixtureOfAgents, createMixtureOfAgents } from "../../src/index.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";
import { warningsDuring } from "./process-warnings.js";

const TURNS = 12;
const question = () => ({ messages: [new HumanMessage("q")] });

function models(count = 3) {
  return {
    proposers: Array.from({ length: count }, (_, i) => new ScriptedChatModel({ model: `p${i}` })),
    aggregator: new ScriptedChatModel({ model: "agg" }),
  };
}

/** A caller's signal with one listener of the caller's own, and the number of abort listeners it has. */
function callerSignal() {
  const controller = new AbortController();
  controller.signal.addEventListener("abort", () => undefined);
  return { signal: controller.signal, listeners: () => getEventListeners(controller.signal, "abort").length };
}

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // drain
  }
}

const ways: Array<[string, (signal: AbortSignal) => Promise<unknown>]> = [
  ["graph.invoke", (() => {
    const graph = createMixtureOfAgents(models());
    return (signal: AbortSignal) => graph.invoke(question(), { signal });
  })()],
  ["graph.stream", (() => {
    const graph = createMixtureOfAgents(models());
    return async (signal: AbortSignal) => drain(await graph.stream(question(), { signal, streamMode: ["updates", "messages"] }));
  })()],
  ["graph.invoke on a thread of its checkpointer (rollback armed)", (() => {
    const graph = createMixtureOfAgents({ ...models(), checkpointer: new MemorySaver() });
    return (signal: AbortSignal) => graph.invoke(question(), { signal, configurable: { thread_id: "t" } });
  })()],
  ["MixtureOfAgents.invoke", (() => {
    const moa = new MixtureOfAgents(models());
    return (signal: AbortSignal) => moa.invoke("q", { signal });
  })()],
  ["MixtureOfAgents.stream", (() => {
    const moa = new MixtureOfAgents(models());
    return async (signal: AbortSignal) => drain(await moa.stream("q", { signal }));
  })()],
];

describe.each(ways)("%s with a caller's signal", (_, turn) => {
  it(`leaves no listener on it after ${TURNS} turns, and no warning`, async () => {
    const caller = callerSignal();
    const seen = await warningsDuring(async () => {
      for (let i = 0; i < TURNS; i++) await turn(caller.signal);
    });
    expect(caller.listeners()).toBe(1);
    expect(seen).toEqual([]);
  });
});

describe("the caller's signal still ends the turn", () => {
  it("an abort during the turn rejects it and leaves no listener behind", async () => {
    const slow = { proposers: [new ScriptedChatModel({ model: "p", delayMs: 5_000 })], aggregator: new ScriptedChatModel({ model: "agg" }) };
    const caller = new AbortController();
    const turn = new MixtureOfAgents(slow).invoke("q", { signal: caller.signal });
    setTimeout(() => caller.abort(new Error("stopped by the caller")), 20);
    const started = Date.now();
    await expect(turn).rejects.toThrow("stopped by the caller");
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(getEventListeners(caller.signal, "abort")).toHaveLength(0);
  });

  it("a turn that fails leaves no listener on the caller's signal", async () => {
    const failing = { proposers: [new ScriptedChatModel({ model: "p", fail: new Error("down") })], aggregator: new ScriptedChatModel({ model: "agg" }) };
    const caller = callerSignal();
    const graph = createMixtureOfAgents(failing);
    for (let i = 0; i < 3; i++) await expect(graph.invoke(question(), { signal: caller.signal })).rejects.toThrow();
    expect(caller.listeners()).toBe(1);
  });

  it("a stream left early leaves no listener on the caller's signal", async () => {
    const caller = callerSignal();
    const graph = createMixtureOfAgents(models());
    for (let i = 0; i < 3; i++) {
      for await (const _ of await graph.stream(question(), { signal: caller.signal })) break;
    }
    expect(caller.listeners()).toBe(1);
  });
});

describe("a stream cancelled", () => {
  it.each([
    ["before it is read", 0],
    ["after its first chunk", 1],
  ])("%s leaves no listener on the caller's signal", async (_, reads) => {
    const caller = callerSignal();
    const graph = createMixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p", delayMs: 30 })], aggregator: new ScriptedChatModel({ model: "agg" }) });
    for (let i = 0; i < 3; i++) {
      const stream = await graph.stream(question(), { signal: caller.signal });
      const reader = stream[Symbol.asyncIterator]();
      for (let n = 0; n < reads; n++) await reader.next();
      await stream.cancel();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(caller.listeners()).toBe(1);
  });
});
