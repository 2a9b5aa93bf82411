import { HumanMessage } from "@langchain/core/messages";
import { library } from "../library.js";
import { chatOpenAIModels } from "./chat-openai.js";
import { QUESTION, type Implementation } from "./shape.js";

const { createMixtureOfAgents } = library;

/** This library: `createMixtureOfAgents` over `ChatOpenAI` clients, invoked as a graph. */
export const langgraphMoA: Implementation = {
  name: "moa",
  label: "this library (`createMixtureOfAgents`)",
  create(target, shape) {
    const graph = createMixtureOfAgents({ ...chatOpenAIModels(target, shape), layers: shape.layers });
    return async () => {
      const state = await graph.invoke({ messages: [new HumanMessage(QUESTION)] });
      return state.messages.at(-1)?.text ?? "";
    };
  },
};

