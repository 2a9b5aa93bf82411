import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { MoAInputError, createMixtureOfAgents, formatReferences } from "../src/index.js";
import { injectSystemText } from "../src/prompts/inject-system-text.js";
import { brief, withReferencesAtEnd } from "./support/conversation.js";
import { ScriptedChatModel } from "./support/scripted-chat-model.js";

describe("the injected instruction and its formatting", () => {
  it("aggregatorPrompt replaces the instruction, and formatReferences the whole text, for every layer and the aggregator", async () => {
    const p1 = new ScriptedChatModel({ model: "p1", answer: "A" });
    const p2 = new ScriptedChatModel({ model: "p2", answer: "B" });
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const targets: Array<number | "aggregate"> = [];
    await createMixtureOfAgents({
      proposers: [p1, p2],
      aggregator,
      layers: 2,
      aggregatorPrompt: "Synthesize these responses.",
      formatReferences: ({ instruction, references, target }) => {
        targets.push(target);
        return `${instruction}\n${references.map((r) => `<ref>${r}</ref>`).join("")}`;
      },
    }).invoke({ messages: [new HumanMessage("q")] });

    const expected = withReferencesAtEnd([["human", "q"]], "Synthesize these responses.\n<ref>A</ref><ref>B</ref>");
    expect(brief(p1.calls[1] ?? [])).toEqual(expected);
    expect(brief(aggregator.calls[0] ?? [])).toEqual(expected);
    expect(targets.sort()).toEqual([2, 2, "aggregate"]);
  });

  it("the default formatter numbers the references from 1 and trims them", () => {
    expect(formatReferences({ instruction: "I", references: [" x ", "y\n"], target: "aggregate" })).toBe("I\n\nCandidate responses:\n\n1. x\n\n2. y");
  });

  it("adds a text part to a system message whose content is a list of parts", () => {
    const system = new SystemMessage({ content: [{ type: "text", text: "Be kind." }] });
    const [first] = injectSystemText([system, new HumanMessage("q")], { suffix: "refs" });
    expect(first?.content).toEqual([{ type: "text", text: "Be kind." }, { type: "text", text: "refs" }]);
    expect(system.content).toEqual([{ type: "text", text: "Be kind." }]);
  });
});

describe("conversations a turn cannot start from", () => {
  const graph = createMixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator: new ScriptedChatModel({ model: "agg" }) });

  it("an empty conversation", async () => {
    const error = await graph.invoke({ messages: [] }).catch((e: unknown) => e);
    expect(MoAInputError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/The conversation is empty/);
  });

  it("a conversation that ends with an AI message", async () => {
    const error = await graph.invoke({ messages: [new HumanMessage("q"), new AIMessage("a")] }).catch((e: unknown) => e);
    expect(MoAInputError.isInstance(error)).toBe(true);
    expect(String(error)).toMatch(/ends with an AI message/);
  });
});
