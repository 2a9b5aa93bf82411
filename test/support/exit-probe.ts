/**
 * Run as a child process by the exit test: one MoA turn against the protocol servers whose URLs are in
 * argv, cut short by a timeout or an abort. It prints how the turn ended and must then exit by itself:
 * a timer or socket left behind would keep it alive.
 */
import { HumanMessage } from "@langchain/core/messages";
import { createMixtureOfAgents } from "../../src/index.js";

const [openaiUrl, ollamaUrl, geminiUrl, mode] = process.argv.slice(2);
const graph = createMixtureOfAgents({
  proposers: [
    { model: "openai:silent", apiKey: "sk-test-key", baseURL: `${openaiUrl}/v1` },
    { model: "ollama:silent", baseUrl: ollamaUrl },
    { model: "google-genai:silent", apiKey: "test-key", baseUrl: geminiUrl },
  ],
  aggregator: { model: "openai:aggregator", apiKey: "sk-test-key", baseURL: `${openaiUrl}/v1` },
  // The whole turn, creating the three providers' clients included, so the requests are out well before it ends.
  timeouts: mode === "timeout" ? { turnMs: 2_000 } : {},
});
const controller = new AbortController();
try {
  const tasks = await graph.stream({ messages: [new HumanMessage("q")] }, { signal: controller.signal, streamMode: "tasks" });
  for await (const task of tasks) {
    // Abort once the proposers' requests are out (a task's start is streamed before it runs).
    if (task.name === "propose" && mode === "abort") setTimeout(() => controller.abort(), 200);
  }
  console.log("turn ended: answered");
} catch (error) {
  console.log(`turn ended: ${error instanceof Error ? error.name : String(error)}`);
}
