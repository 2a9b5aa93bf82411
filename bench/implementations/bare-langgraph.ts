import { HumanMessage } from "@langchain/core/messages";
import { Annotation, END, MessagesAnnotation, Send, START, StateGraph } from "@langchain/langgraph";
import { injectSystemText } from "../../src/prompts/inject-system-text.js";
import { chatOpenAIModels } from "./chat-openai.js";
import { QUESTION, referencesText, type Implementation } from "./shape.js";

const BareState = Annotation.Root({
  ...MessagesAnnotation.spec,
  /** The current layer's answers, in arrival order with their proposer's index. */
  answers: Annotation<Array<{ index: number; text: string }>>({ reducer: (current, update) => current.concat(update), default: () => [] }),
  /** The last completed layer's answers, by proposer. */
  references: Annotation<string[]>({ reducer: (_, update) => update, default: () => [] }),
  layer: Annotation<number>({ reducer: (_, update) => update, default: () => 0 }),
});

/**
 * LangGraph without this library: a graph of the MoA's shape (a `Send` per proposer per layer into a
 * `propose` node, a `join` node per layer, an `aggregate` node) over `ChatOpenAI`, with nothing else.
 */
export const bareLangGraph: Implementation = {
  name: "bareGraph",
  label: "bare LangGraph graph of the same shape",
  create(target, shape) {
    const { proposers, aggregator } = chatOpenAIModels(target, shape);
    const fanOut = (state: typeof BareState.State) =>
      proposers.map((_, index) => new Send("propose", { messages: state.messages, references: state.references, layer: state.layer + 1, index }));
    const graph = new StateGraph(BareState)
      .addNode("propose", async (task: { messages: HumanMessage[]; references: string[]; layer: number; index: number }) => {
        const answer = await (proposers[task.index] as typeof aggregator).invoke(injectSystemText(task.messages, { suffix: referencesText(task.references, task.layer) }));
        return { answers: [{ index: task.index, text: answer.text }] };
      })
      .addNode("join", (state: typeof BareState.State) => {
        const layerAnswers = state.answers.slice(-shape.proposers).sort((a, b) => a.index - b.index);
        return { references: layerAnswers.map((answer) => answer.text), layer: state.layer + 1 };
      })
      .addNode("aggregate", async (state: typeof BareState.State) => ({
        messages: [await aggregator.invoke(injectSystemText(state.messages, { suffix: referencesText(state.references, "aggregate") }))],
      }))
      .addConditionalEdges(START, fanOut, ["propose"])
      .addEdge("propose", "join")
      .addConditionalEdges("join", (state) => (state.layer < shape.layers ? fanOut(state) : "aggregate"), ["propose", "aggregate"])
      .addEdge("aggregate", END)
      .compile();
    return async () => {
      const state = await graph.invoke({ messages: [new HumanMessage(QUESTION)] });
      return state.messages.at(-1)?.text ?? "";
    };
  },
};

/**
 * The same graph with one task per layer instead of one per proposer: a `proposeLayer` node calls the layer's
 * proposers with `Promise.all`. Fewer LangGraph tasks, at the price of what a task per proposer gives
 * (each proposal saved as it arrives, streamed and retried on its own).
 */
export const bareLangGraphOneTaskPerLayer: Implementation = {
  name: "bareGraphLayerTasks",
  label: "bare LangGraph graph, one task per layer",
  create(target, shape) {
    const { proposers, aggregator } = chatOpenAIModels(target, shape);
    const graph = new StateGraph(BareState)
      .addNode("proposeLayer", async (state: typeof BareState.State) => {
        const asked = injectSystemText(state.messages, { suffix: referencesText(state.references, state.layer + 1) });
        const answers = await Promise.all(proposers.map((proposer) => proposer.invoke(asked)));
        return { references: answers.map((answer) => answer.text), layer: state.layer + 1 };
      })
      .addNode("aggregate", async (state: typeof BareState.State) => ({
        messages: [await aggregator.invoke(injectSystemText(state.messages, { suffix: referencesText(state.references, "aggregate") }))],
      }))
      .addEdge(START, "proposeLayer")
      .addConditionalEdges("proposeLayer", (state) => (state.layer < shape.layers ? "proposeLayer" : "aggregate"), ["proposeLayer", "aggregate"])
      .addEdge("aggregate", END)
      .compile();
    return async () => {
      const state = await graph.invoke({ messages: [new HumanMessage(QUESTION)] });
      return state.messages.at(-1)?.text ?? "";
    };
  },
};
