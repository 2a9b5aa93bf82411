/**
 * Run as a child process by the crash tests: one MoA turn on a thread of a SQLite or PostgreSQL
 * checkpointer, with models on the OpenAI protocol server whose URL is in argv. The test kills it with
 * SIGKILL mid-turn. It prints `loaded` once its modules are loaded and the graph is built, before the turn
 * starts, so that the test can bound its start-up apart from the turn.
 *
 *   node --import tsx turn-process.ts <sqlite path | postgres:// url> <server url> <thread id> <layers> <question> [durability]
 *
 * With a durability (`async`, `sync`), the run checkpoints each step as it goes, and a killed turn leaves its
 * steps on the thread; with none, the MoA's default (`exit`) writes nothing until the turn ends.
 */
import { HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { createMixtureOfAgents } from "../../src/index.js";

const [dbPath, serverUrl, threadId, layers, question, durability] = process.argv.slice(2) as [string, string, string, string, string, "async" | "sync" | undefined];
const model = (name: string) => ({ model: `openai:${name}`, apiKey: "sk-test-key", baseURL: `${serverUrl}/v1` });
const graph = createMixtureOfAgents({
  proposers: [model("p1"), model("p2")],
  aggregator: model("agg"),
  layers: Number(layers),
  checkpointer: dbPath.startsWith("postgres://") ? PostgresSaver.fromConnString(dbPath) : SqliteSaver.fromConnString(dbPath),
});
console.log("loaded");
// "messages" makes the aggregator stream its answer, as a chat front end would.
const stream = await graph.stream({ messages: [new HumanMessage(question)] }, { configurable: { thread_id: threadId }, streamMode: ["updates", "messages"], ...(durability ? { durability } : {}) });
for await (const [mode, chunk] of stream) if (mode === "updates") console.log(`step: ${Object.keys(chunk as object).join(",")}`);
console.log("answered");
