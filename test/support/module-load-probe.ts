/**
 * Run as a child process (with --expose-gc) by the module-load context test: three graphs in turn, each
 * with models given as strings (the first turn of the process loads the provider's modules through
 * `initChatModel`) and a MemorySaver, each dropped after one turn. Prints whether each saver was collected.
 */
import { HumanMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { createMixtureOfAgents } from "../../src/index.js";
import { collected } from "./collected.js";
import { startOpenAIServer } from "./openai-server.js";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

const server = await startOpenAIServer({ models: { model: { text: "an answer" } } });
const model = { model: "openai:model", apiKey: "sk-test-key", baseURL: `${server.url}/v1` };
const turn = async (): Promise<WeakRef<object>> => {
  const saver = new MemorySaver();
  const graph = createMixtureOfAgents({ proposers: [model, model], aggregator: model, checkpointer: saver });
  await graph.invoke({ messages: [new HumanMessage("q")] }, { configurable: { thread_id: "thread" } });
  return new WeakRef(saver);
};
const savers = [await turn(), await turn(), await turn()];
const results = [];
for (const saver of savers) results.push(await collected(saver, gc));
console.log(JSON.stringify({ collected: results }));
await server.close();
