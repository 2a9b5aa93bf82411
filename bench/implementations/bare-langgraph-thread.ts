import { HumanMessage } from "@langchain/core/messages";
import { Annotation, END, MessagesAnnotation, Overwrite, Send, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { ChatOpenAI } from "@langchain/openai";
import { injectSystemText } from "../../src/prompts/inject-system-text.js";
import { referencesText, type Shape } from "./shape.js";

const ThreadState = Annotation.Root({
  /** The conversation, kept across the turns of a thread. */
  ...MessagesAnnotation.spec,
  /** The turn's answers so far, in arrival order with their proposer's index; emptied by each turn's input. */
  answers: Annotation<Array<{ index: number; text: string }>>({ reducer: (current, update) => current.concat(update), default: () => [] }),
  /** The last completed layer's answers, by proposer. */
  references: Annotation<string[]>({ reducer: (_, update) => update, default: () => [] }),
  /** Proposer layers completed in this turn. */
  layer: Annotation<number>({ reducer: (_, update) => update, default: () => 0 }),
});

/** One turn on a thread: asks `question` on thread `threadId` and resolves to the final answer's text. */
export type ThreadTurn = (threadId: string, question: string) => Promise<string>;

/**
 * LangGraph without this library, on a checkpointed thread: the graph of bench/implementations/bare-langgraph.ts
 * (a `Send` per proposer per layer into `propose`, a `join` per layer, `aggregate`), whose conversation
 * persists across turns (`MessagesAnnotation`) while each turn's input resets the per-turn channels
 * (`answers` with LangGraph's `Overwrite`, which bypasses its reducer; `references` and `layer` by value),
 * so that a thread's later turns neither see nor store the earlier turns' answers.
 */
export function bareLangGraphThread(
  models: { proposers: readonly ChatOpenAI[]; aggregator: ChatOpenAI },
  shape: Shape,
  checkpointer: BaseCheckpointSaver,
  durability?: "exit",
): ThreadTurn {
  const { proposers, aggregator } = models;
  const fanOut = (state: typeof ThreadState.State) =>
    proposers.map((_, index) => new Send("propose", { messages: state.messages, references: state.references, layer: state.layer + 1, index }));
  const graph = new StateGraph(ThreadState)
    .addNode("propose", async (task: { messages: HumanMessage[]; references: string[]; layer: number; index: number }) => {
      const answer = await (proposers[task.index] as ChatOpenAI).invoke(injectSystemText(task.messages, { suffix: referencesText(task.references, task.layer) }));
      return { answers: [{ index: task.index, text: answer.text }] };
    })
    .addNode("join", (state: typeof ThreadState.State) => {
      const layerAnswers = state.answers.slice(-shape.proposers).sort((a, b) => a.index - b.index);
      return { references: layerAnswers.map((answer) => answer.text), layer: state.layer + 1 };
    })
    .addNode("aggregate", async (state: typeof ThreadState.State) => ({
      messages: [await aggregator.invoke(injectSystemText(state.messages, { suffix: referencesText(state.references, "aggregate") }))],
    }))
    .addConditionalEdges(START, fanOut, ["propose"])
    .addEdge("propose", "join")
    .addConditionalEdges("join", (state) => (state.layer < shape.layers ? fanOut(state) : "aggregate"), ["propose", "aggregate"])
    .addEdge("aggregate", END)
    .compile({ checkpointer });
  return async (threadId, question) => {
    const input = { messages: [new HumanMessage(question)], answers: new Overwrite<Array<{ index: number; text: string }>>([]), references: [], layer: 0 };
    const state = await graph.invoke(input, { configurable: { thread_id: threadId }, ...(durability ? { durability } : {}) });
    return state.messages.at(-1)?.text ?? "";
  };
}
