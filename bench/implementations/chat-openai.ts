import { HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { injectSystemText } from "../../src/prompts/inject-system-text.js";
import { QUESTION, referencesText, type Implementation, type Shape, type Target } from "./shape.js";

/** A `ChatOpenAI` client for the target, without retries. */
export function chatOpenAI(target: Target): ChatOpenAI {
  return new ChatOpenAI({ model: target.model, apiKey: "sk-bench", configuration: { baseURL: target.baseURL }, maxRetries: 0 });
}

/** The models of a turn of `shape`: one `ChatOpenAI` client per proposer, and one for the aggregator. */
export function chatOpenAIModels(target: Target, shape: Shape): { proposers: ChatOpenAI[]; aggregator: ChatOpenAI } {
  return { proposers: Array.from({ length: shape.proposers }, () => chatOpenAI(target)), aggregator: chatOpenAI(target) };
}

/** The LangChain model layer without a graph: `ChatOpenAI` clients and `Promise.all` per layer. */
export const chatOpenAIPromiseAll: Implementation = {
  name: "chatOpenAI",
  label: "`ChatOpenAI` + `Promise.all`",
  create(target, shape) {
    const { proposers, aggregator } = chatOpenAIModels(target, shape);
    return async () => {
      const messages = [new HumanMessage(QUESTION)];
      let references: string[] = [];
      for (let layer = 1; layer <= shape.layers; layer++) {
        const asked = injectSystemText(messages, { suffix: referencesText(references, layer) });
        references = (await Promise.all(proposers.map((p) => p.invoke(asked)))).map((answer) => answer.text);
      }
      return (await aggregator.invoke(injectSystemText(messages, { suffix: referencesText(references, "aggregate") }))).text;
    };
  },
};
