import { HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_AGGREGATOR_PROMPT, MoAInputError, createMixtureOfAgents } from "../../src/index.js";
import { expectedReferenceText } from "../support/conversation.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

let openai: ProtocolServer;
beforeAll(async () => {
  openai = await startOpenAIServer({ models: {}, fallback: { text: "ok answer" } });
});
afterAll(async () => {
  await openai.close();
});

const model = (name: string) => ({ model: `openai:${name}`, apiKey: "sk-test-key", baseURL: `${openai.url}/v1` });
const picture = new HumanMessage({
  content: [
    { type: "text", text: "What is in this picture?" },
    { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
  ],
});

describe("input a turn cannot use, or must handle", () => {
  it("images with a model whose profile says text only: a clear error naming it, before any call", async () => {
    const graph = createMixtureOfAgents({ proposers: [model("gpt-4o-mini"), model("gpt-3.5-turbo")], aggregator: model("gpt-4o") });
    const error = await graph.invoke({ messages: [picture] }).catch((e: unknown) => e);
    expect(MoAInputError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "The conversation has images, but openai:gpt-3.5-turbo take(s) text only: remove the images or use models that accept them.",
    );
    expect(openai.requests).toHaveLength(0);
  });

  it("images with models that accept them are sent as they are", async () => {
    const graph = createMixtureOfAgents({ proposers: [model("gpt-4o-mini")], aggregator: model("gpt-4o") });
    const state = await graph.invoke({ messages: [picture] });
    expect(state.messages.at(-1)?.text).toBe("ok answer");
    expect(JSON.stringify(openai.requests[0]?.body)).toContain("data:image/png;base64,iVBORw0KGgo=");
  });

  it("a huge input (2 MB) is passed through whole and answered by models of no known input limit", async () => {
    openai.requests.length = 0;
    const huge = "lorem ipsum ".repeat(180_000);
    const state = await createMixtureOfAgents({ proposers: [model("big-context")], aggregator: model("big-context-aggregator") }).invoke({ messages: [new HumanMessage(huge)] });
    expect(state.messages.at(-1)?.text).toBe("ok answer");
    const [proposal, aggregation] = openai.requests.map((r) => r.messages.at(-1)?.content ?? "");
    expect(openai.requests).toHaveLength(2);
    expect(proposal === huge).toBe(true);
    // The aggregator's is the whole input, then the references (the default referencePlacement).
    expect(aggregation?.startsWith(huge)).toBe(true);
    expect(aggregation?.slice(huge.length)).toBe(`\n\n${expectedReferenceText(DEFAULT_AGGREGATOR_PROMPT, ["ok answer"])}`);
  });

  it.each([
    ["a number as messages", { messages: 42 }, /Unable to coerce message/],
    ["an object that is not a message", { messages: [{ foo: 1 }] }, /Unable to coerce message/],
    ["no messages", {}, /The conversation is empty/],
  ])("%s is refused with LangChain's or our own error", async (_name, input, message) => {
    const graph = createMixtureOfAgents({ proposers: [model("p")], aggregator: model("a") });
    await expect(graph.invoke(input as never)).rejects.toThrow(message);
  });
});
