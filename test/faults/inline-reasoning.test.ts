/**
 * Reasoning a model writes into its answer's text (`<think>…</think>`, as DeepSeek-R1 and Qwen3 served
 * by vLLM or LM Studio without a reasoning parser do) is removed before the answer becomes a reference;
 * the aggregator's own answer is kept as its client gives it.
 */
import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixtureOfAgents, createMixtureOfAgents, getMoATrace, type MoAState } from "../../src/index.js";
import { splitInlineReasoning } from "../../src/prompts/inline-reasoning.js";
import { proposalText } from "../../src/prompts/proposal-text.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";
import { ScriptedChatModel } from "../support/scripted-chat-model.js";

const question = { messages: [new HumanMessage("What is 2 + 2?")] };
const candidates = (model: ScriptedChatModel, call = 0) => model.calls[call]?.[0]?.text.split("Candidate responses:\n\n")[1];

describe("splitInlineReasoning", () => {
  it.each([
    ["a closed block", "<think>2 + 2 is 4.</think>\n\nThe answer is 4.", "The answer is 4.", "2 + 2 is 4."],
    ["leading whitespace and newlines", "\n\n  <think>\nAdd them.\n</think>\n\nThe answer is 4.", "The answer is 4.", "\nAdd them.\n"],
    ["the empty block of a thinking-off Qwen3", "<think>\n\n</think>\n\nThe answer is 4.", "The answer is 4.", "\n\n"],
    ["several blocks in a row", "<think>first</think>\n<think>second</think>\nThe answer is 4.", "The answer is 4.", "first\n\nsecond"],
    ["an unclosed block: the budget ran out", "<think>\nLet me add 2 and 2, carefully, step", "", "\nLet me add 2 and 2, carefully, step"],
    ["only a closing tag: <think> was in the prompt template", "Okay, the user asks for 2 + 2.\n</think>\n\nThe answer is 4.", "The answer is 4.", "Okay, the user asks for 2 + 2.\n"],
    ["only a closing tag at the very end", "\nOkay, the user asks for 2 + 2. That is 4.\n</think>", "", "\nOkay, the user asks for 2 + 2. That is 4.\n"],
  ])("removes %s", (_form, text, answer, reasoning) => {
    expect(splitInlineReasoning(text)).toEqual({ answer, reasoning });
  });

  it.each([
    ["an answer without reasoning", "The answer is 4."],
    ["a tag mentioned in code", "Close the block with `</think>` and then answer."],
    ["a tag mentioned in prose", "Reasoning models close their reasoning with </think> and then answer."],
    ["a tag that does not start the answer", "Qwen3 starts with <think>\nand ends with </think>\n"],
    ["another tag", "<thinking>Add them.</thinking>\nThe answer is 4."],
  ])("leaves %s alone", (_form, text) => {
    expect(splitInlineReasoning(text)).toEqual({ answer: text });
  });
});

describe("proposalText", () => {
  it("is the answer without its inline reasoning", () => {
    expect(proposalText(new AIMessage("<think>hmm</think>\n\nThe answer is 4."))).toEqual({ text: "The answer is 4." });
  });

  it("an answer that is only reasoning, inline or apart, has no text", () => {
    expect(proposalText(new AIMessage("<think>\nLet me add"))).toEqual({ empty: { reason: "reasoning_only" } });
    expect(proposalText(new AIMessage({ content: [{ type: "thinking", thinking: "Let me add" }] }))).toEqual({ empty: { reason: "reasoning_only" } });
    expect(
      proposalText(new AIMessage({ content: "", usage_metadata: { input_tokens: 9, output_tokens: 64, total_tokens: 73, output_token_details: { reasoning: 64 } }, response_metadata: { finish_reason: "length" } })),
    ).toEqual({ empty: { reason: "reasoning_only", finishReason: "length" } });
  });
});

describe("inline reasoning in a proposer's answer", () => {
  it("is removed from the references of the next layer and of the aggregator, and from the proposal", async () => {
    const r1 = new ScriptedChatModel({ model: "deepseek-r1", answer: (_messages, call) => `<think>\nThe user wants 2 + 2 (call ${call + 1}).\n</think>\n\nThe answer is 4.` });
    const qwen = new ScriptedChatModel({ model: "qwen3", answer: "Okay, add them.\n</think>\n\n2 + 2 = 4." });
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "4" });
    const state = await createMixtureOfAgents({ proposers: [r1, qwen], aggregator, layers: 2 }).invoke(question);

    expect(candidates(r1, 1)).toBe("1. The answer is 4.\n\n2. 2 + 2 = 4.");
    expect(candidates(aggregator)).toBe("1. The answer is 4.\n\n2. 2 + 2 = 4.");
    expect(state.references).toEqual(["The answer is 4.", "2 + 2 = 4."]);
    expect(state.proposals.map((p) => p.text)).toEqual(["The answer is 4.", "2 + 2 = 4.", "The answer is 4.", "2 + 2 = 4."]);
  });

  it("that is all reasoning (an unclosed <think>) is an empty answer, not a reference", async () => {
    const r1 = new ScriptedChatModel({ model: "deepseek-r1", answer: "<think>\nThe user wants 2 + 2. Let me" });
    const good = new ScriptedChatModel({ model: "good", answer: "4" });
    const aggregator = new ScriptedChatModel({ model: "agg" });
    const state = await createMixtureOfAgents({ proposers: [r1, good], aggregator }).invoke(question);

    expect(state.trace.layers[0]?.calls.map((c) => [c.id, c.status, c.empty?.reason])).toEqual([["deepseek-r1", "empty", "reasoning_only"], ["good", "ok", undefined]]);
    expect(candidates(aggregator)).toBe("1. 4");
  });

  it("the aggregator's own answer is kept as its client gave it", async () => {
    const aggregator = new ScriptedChatModel({ model: "agg", answer: "<think>Both say 4.</think>\n\n4" });
    const state = await createMixtureOfAgents({ proposers: [new ScriptedChatModel({ model: "p" })], aggregator }).invoke(question);
    expect(state.messages.at(-1)?.text).toBe("<think>Both say 4.</think>\n\n4");
  });
});

describe("inline reasoning over the OpenAI wire protocol (vLLM without a reasoning parser)", () => {
  let server: ProtocolServer;
  beforeAll(async () => {
    server = await startOpenAIServer({
      models: {
        "DeepSeek-R1-Distill-Qwen-7B": { text: "<think>\nThe capital of France... Paris.\n</think>\n\nParis." },
        "Qwen3.5-9B": { text: "The user asks for the capital.\n</think>\n\nThe capital of France is Paris." },
        aggregator: { text: "Paris." },
      },
    });
  });
  afterAll(() => server?.close());

  it("reaches the aggregator without the reasoning, whether the proposers answered whole or streamed", async () => {
    const at = (model: string) => ({ model: `openai:${model}`, baseURL: `${server.url}/v1`, apiKey: "test-key" });
    const options = { proposers: [at("DeepSeek-R1-Distill-Qwen-7B"), at("Qwen3.5-9B")], aggregator: at("aggregator") };
    const whole = await new MixtureOfAgents(options).invoke("What is the capital of France?");
    // LangGraph's `messages` stream mode makes every model call stream, the proposers' included.
    let streamed: MoAState | undefined;
    const stream = await createMixtureOfAgents(options).stream({ messages: [new HumanMessage("What is the capital of France?")] }, { streamMode: ["messages", "values"] });
    for await (const [mode, payload] of stream as AsyncIterable<[string, unknown]>) if (mode === "values") streamed = payload as MoAState;

    expect(server.requests.filter((r) => r.model !== "aggregator").map((r) => r.stream)).toEqual([false, false, true, true]);
    expect(getMoATrace(whole)?.layers[0]?.calls.map((c) => c.status)).toEqual(["ok", "ok"]);
    expect(streamed?.trace.layers[0]?.calls.map((c) => c.status)).toEqual(["ok", "ok"]);
    const sent = server.requests.filter((r) => r.model === "aggregator").map((r) => r.messages[0]?.content.split("Candidate responses:\n\n")[1]);
    expect(sent).toEqual(["1. Paris.\n\n2. The capital of France is Paris.", "1. Paris.\n\n2. The capital of France is Paris."]);
  });
});
