import { HumanMessage } from "@langchain/core/messages";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { bareLangGraphThread, type ThreadTurn } from "../implementations/bare-langgraph-thread.js";
import { chatOpenAI } from "../implementations/chat-openai.js";
import { referencesText, type Shape } from "../implementations/shape.js";
import { library } from "../library.js";
import { THREAD_GROWTH_MODELS } from "./thread-growth-answer.js";

const { createMixtureOfAgents } = library;

/** The implementations compared on a thread, by their results key. */
export type ThreadImplName = "moa" | "bareGraph" | "bareGraphExit" | "raw";

/** The checkpointed implementations, whose savers' stored bytes are counted. */
export const CHECKPOINTED: readonly ThreadImplName[] = ["moa", "bareGraph", "bareGraphExit"];

/** What each implementation is, for the report. */
export const THREAD_IMPL_LABELS: Record<ThreadImplName, string> = {
  moa: "this library (`createMixtureOfAgents` + checkpointer)",
  bareGraph: "bare LangGraph graph + checkpointer",
  bareGraphExit: "bare LangGraph graph + checkpointer, `durability: \"exit\"`",
  raw: "raw `openai` client, conversation in an array",
};

/** The shape of every turn: 3 proposers x 1 layer, then the aggregator. */
export const THREAD_SHAPE: Shape = { proposers: 3, layers: 1 };

const proposerModels = THREAD_GROWTH_MODELS.slice(0, THREAD_SHAPE.proposers);
const aggregatorModel = THREAD_GROWTH_MODELS[THREAD_GROWTH_MODELS.length - 1] as string;

/** `ChatOpenAI` clients for the proposers and the aggregator on the server at `baseURL`. */
function chatModels(baseURL: string) {
  return { proposers: proposerModels.map((model) => chatOpenAI({ baseURL, model })), aggregator: chatOpenAI({ baseURL, model: aggregatorModel }) };
}

/** This library on `checkpointer`: one `invoke` per turn with the thread's id, the question as input. */
export function libraryThread(baseURL: string, checkpointer: BaseCheckpointSaver): ThreadTurn {
  const graph = createMixtureOfAgents({ ...chatModels(baseURL), layers: THREAD_SHAPE.layers, checkpointer });
  return async (threadId, question) => {
    const state = await graph.invoke({ messages: [new HumanMessage(question)] }, { configurable: { thread_id: threadId } });
    return state.messages.at(-1)?.text ?? "";
  };
}

/** The bare LangGraph graph of the same shape on `checkpointer`, at LangGraph's default durability or at `"exit"` (this library's). */
export function bareGraphThread(baseURL: string, checkpointer: BaseCheckpointSaver, durability?: "exit"): ThreadTurn {
  return bareLangGraphThread(chatModels(baseURL), THREAD_SHAPE, checkpointer, durability);
}

/**
 * The floor: the `openai` SDK's client (one per model), each thread's conversation kept in an array in
 * memory, the proposers asked with `Promise.all`, then the aggregator with their answers as references in
 * a system message in front (as the library writes them).
 */
export function rawThread(baseURL: string): ThreadTurn {
  const client = (model: string) => ({ model, openai: new OpenAI({ apiKey: "sk-bench", baseURL, maxRetries: 0 }) });
  const proposers = proposerModels.map(client);
  const aggregator = client(aggregatorModel);
  const threads = new Map<string, ChatCompletionMessageParam[]>();
  const ask = async ({ model, openai }: ReturnType<typeof client>, messages: ChatCompletionMessageParam[]): Promise<string> =>
    (await openai.chat.completions.create({ model, messages })).choices[0]?.message.content ?? "";
  return async (threadId, question) => {
    const history = threads.get(threadId) ?? [];
    threads.set(threadId, history);
    history.push({ role: "user", content: question });
    const references = await Promise.all(proposers.map((proposer) => ask(proposer, history)));
    const answer = await ask(aggregator, [{ role: "system", content: referencesText(references, "aggregate") ?? "" }, ...history]);
    history.push({ role: "assistant", content: answer });
    return answer;
  };
}
