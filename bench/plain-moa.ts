import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import { DEFAULT_AGGREGATOR_PROMPT, formatReferences } from "../src/index.js";
import { injectSystemText } from "../src/prompts/inject-system-text.js";

/**
 * The same algorithm without a graph: each layer is a `Promise.all` over the proposers, then the
 * aggregator. The floor against which the graph's own cost is measured.
 */
export async function plainMoA(proposers: readonly BaseChatModel[], aggregator: BaseChatModel, layers: number, messages: BaseMessage[]): Promise<AIMessage> {
  let references: string[] = [];
  for (let layer = 1; layer <= layers; layer++) {
    const suffix = layer > 1 ? formatReferences({ instruction: DEFAULT_AGGREGATOR_PROMPT, references, target: layer }) : undefined;
    const asked = injectSystemText(messages, { suffix });
    references = (await Promise.all(proposers.map((p) => p.invoke(asked)))).map((answer) => answer.text);
  }
  const suffix = formatReferences({ instruction: DEFAULT_AGGREGATOR_PROMPT, references, target: "aggregate" });
  return aggregator.invoke(injectSystemText(messages, { suffix }));
}
