/**
 * A server that repeats its completion id (lmdeploy's session number as the `id`, a response cache, a mock
 * server): every answered turn stays on its thread. LangGraph's messages reducer replaces a message by id,
 * so the answer takes a new id when the aggregator's is already on the thread; the aggregator's own id stays
 * readable in `response_metadata.id`.
 */
import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MixtureOfAgents, createMixtureOfAgents, type ModelInput } from "../../src/index.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";
import { lastUserQuestion } from "../support/user-question.js";

let server: ProtocolServer;

beforeAll(async () => {
  server = await startOpenAIServer({
    models: {
      // The aggregator answers each question with its own text, always under the same completion id.
      same: { responseId: "session-7", text: (request) => `answer to ${lastUserQuestion(request)}` },
      proposer: { responseId: "session-7", text: "a proposal" },
    },
  });
});
afterAll(async () => {
  await server?.close();
});

const onServer = (model: string): ModelInput => ({ model: `openai:${model}`, apiKey: "sk-test-key", baseURL: `${server.url}/v1` });
const exchange = (messages: readonly BaseMessage[]) => messages.map((m) => `${m.getType()}: ${m.text}`);

describe("an aggregator that repeats its completion id", () => {
  it("keeps every answered turn on a thread: three turns hold Q1, A1, Q2, A2, Q3, A3", async () => {
    const moa = createMixtureOfAgents({ proposers: [onServer("proposer")], aggregator: onServer("same"), checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "repeated-ids" } };
    let last: BaseMessage[] = [];
    for (const question of ["Q1", "Q2", "Q3"]) last = (await moa.invoke({ messages: [new HumanMessage(question)] }, config)).messages;

    expect(exchange(last)).toEqual(["human: Q1", "ai: answer to Q1", "human: Q2", "ai: answer to Q2", "human: Q3", "ai: answer to Q3"]);
    const answers = last.filter((m) => m.getType() === "ai");
    expect(new Set(answers.map((m) => m.id)).size).toBe(3);
    expect(answers.map((m) => (m.response_metadata as { id?: string }).id)).toEqual(["chatcmpl-session-7", "chatcmpl-session-7", "chatcmpl-session-7"]);
    // The first answer's id was free on the thread: it is the aggregator's own.
    expect(answers[0]?.id).toBe("chatcmpl-session-7");
  });

  it("the streamed values end with the answer, not the user's question", async () => {
    const moa = createMixtureOfAgents({ proposers: [onServer("proposer")], aggregator: onServer("same"), checkpointer: new MemorySaver() });
    const config = { configurable: { thread_id: "streamed" }, streamMode: "values" as const };
    let lastValue: BaseMessage[] = [];
    for (const question of ["first", "second"]) {
      for await (const value of await moa.stream({ messages: [new HumanMessage(question)] }, config)) lastValue = value.messages;
    }
    expect(exchange(lastValue).slice(-2)).toEqual(["human: second", "ai: answer to second"]);
    expect(lastValue).toHaveLength(4);
  });

  it("the chat model gives an answer an id no message of the conversation has", async () => {
    const moa = new MixtureOfAgents({ proposers: [onServer("proposer")], aggregator: onServer("same") });
    const history = [new HumanMessage("Q1"), new AIMessage({ content: "earlier", id: "chatcmpl-session-7" }), new HumanMessage("Q2")];
    const answer = await moa.invoke(history);
    expect(answer.text).toBe("answer to Q2");
    expect(answer.id).toBeDefined();
    expect(history.map((m) => m.id)).not.toContain(answer.id);
    expect(answer.response_metadata.id).toBe("chatcmpl-session-7");
  });

  it("an id equal to the caller's own message id (a UI naming its messages, echoed by a cache) does not replace that message", async () => {
    server.setScript("echo", { responseId: "msg-1", text: "echoed answer" });
    const moa = createMixtureOfAgents({ proposers: [onServer("proposer")], aggregator: onServer("echo"), checkpointer: new MemorySaver() });
    // OpenAI's id is `chatcmpl-<id>`: the caller's question carries exactly that.
    const state = await moa.invoke({ messages: [new HumanMessage({ content: "named question", id: "chatcmpl-msg-1" })] }, { configurable: { thread_id: "named" } });
    expect(exchange(state.messages)).toEqual(["human: named question", "ai: echoed answer"]);
    expect(state.messages[1]?.id).not.toBe("chatcmpl-msg-1");
  });
});
