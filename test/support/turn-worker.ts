/**
 * Run as a child process by the PostgreSQL tests: a process serving MoA turns on threads shared with
 * another such process. After printing `ready` it waits for `go` on stdin, then answers `turns` questions
 * on threads picked at random, sending a question again when its thread is busy. Each answered turn is
 * printed as a JSON line `{ thread, question, answeredAt }`; `{ busy }` at the end counts the retries.
 *
 *   node --import tsx turn-worker.ts <postgres url> <server url> <worker name> <thread,thread,...> <turns>
 */
import { once } from "node:events";
import { HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { MoAThreadBusyError, createMixtureOfAgents } from "../../src/index.js";

const [url, serverUrl, worker, threadList, turns] = process.argv.slice(2) as [string, string, string, string, string];
const model = (name: string) => ({ model: `openai:${name}`, apiKey: "sk-test-key", baseURL: `${serverUrl}/v1` });
const checkpointer = PostgresSaver.fromConnString(url);
const graph = createMixtureOfAgents({ proposers: [model("p1"), model("p2")], aggregator: model("agg"), checkpointer });
const threads = threadList.split(",");

console.log("ready");
await once(process.stdin, "data");
let busy = 0;
for (let i = 0; i < Number(turns); i++) {
  const thread = threads[Math.floor(Math.random() * threads.length)]!;
  const question = `${worker}-${i}`;
  for (;;) {
    try {
      await graph.invoke({ messages: [new HumanMessage(question)] }, { configurable: { thread_id: thread } });
      console.log(JSON.stringify({ thread, question, answeredAt: Date.now() }));
      break;
    } catch (error) {
      if (!MoAThreadBusyError.isInstance(error)) throw error;
      busy++;
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 25));
    }
  }
}
console.log(JSON.stringify({ busy }));
await checkpointer.end();
process.stdin.destroy();
