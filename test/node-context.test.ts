/**
 * The MoA's nodes run as runnables of their own (no LangChain context set per task) unless they run a
 * caller's code: a custom `formatReferences` or `similarity` reads the task's config as the ambient one,
 * as it would in a LangGraph function node.
 */
import { HumanMessage } from "@langchain/core/messages";
import { getConfig } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { createMixtureOfAgents, formatReferences, type ReferenceFormatter } from "../src/index.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

const question = { messages: [new HumanMessage("What is the capital of France?")] };
const models = () => ({
  proposers: [new ScriptedChatModel({ model: "a", answer: "Paris." }), new ScriptedChatModel({ model: "b", answer: "Paris." })],
  aggregator: new ScriptedChatModel({ model: "agg", answer: "Paris, France." }),
});

describe("the ambient config in the MoA's nodes", () => {
  it("a custom formatReferences sees the task's config (its node and step) through getConfig()", async () => {
    const seen: Array<{ node: unknown; step: unknown }> = [];
    const format: ReferenceFormatter = (context) => {
      const metadata = getConfig()?.metadata;
      seen.push({ node: metadata?.langgraph_node, step: metadata?.langgraph_step });
      return formatReferences(context);
    };
    const state = await createMixtureOfAgents({ ...models(), layers: 2, formatReferences: format }).invoke(question);
    expect(state.messages.at(-1)?.text).toBe("Paris, France.");
    // Layer 2's two proposers and the aggregator format references; layer 1 has none to format.
    expect(seen.map((s) => s.node)).toEqual(["propose", "propose", "aggregate"]);
    expect(seen.every((s) => typeof s.step === "number")).toBe(true);
  });

  it("a custom similarity sees the join node's config through getConfig()", async () => {
    const nodes: unknown[] = [];
    const similarity = (x: string, y: string) => {
      nodes.push(getConfig()?.metadata?.langgraph_node);
      return x === y ? 1 : 0;
    };
    const state = await createMixtureOfAgents({ ...models(), layers: 2, similarity, earlyExit: { threshold: 1 } }).invoke(question);
    expect(state.trace.earlyExit?.layer).toBe(1);
    expect(nodes.length).toBeGreaterThan(0);
    expect(new Set(nodes)).toEqual(new Set(["join"]));
  });

  it("with the default options the model calls still get the task's config: tags, metadata and callbacks", async () => {
    const { proposers, aggregator } = models();
    const runs: Array<{ name: string; tags: string[]; metadata: Record<string, unknown> }> = [];
    const handler = { handleChatModelStart: (_llm: unknown, _messages: unknown, _runId: string, _parent?: string, _extra?: unknown, tags?: string[], metadata?: Record<string, unknown>, name?: string) => void runs.push({ name: name ?? "", tags: tags ?? [], metadata: metadata ?? {} }) };
    await createMixtureOfAgents({ proposers, aggregator }).invoke(question, { callbacks: [handler], tags: ["mine"], metadata: { user: "u1" } });
    expect(runs.map((r) => r.name).sort()).toEqual(["moa_aggregator", "moa_proposer", "moa_proposer"]);
    for (const run of runs) {
      expect(run.tags).toContain("mine");
      expect(run.metadata).toMatchObject({ user: "u1" });
      expect(run.metadata.langgraph_node).toBe(run.name === "moa_aggregator" ? "aggregate" : "propose");
    }
  });
});
