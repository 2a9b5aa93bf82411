/**
 * The model server of the long-conversation benchmark, run as a process of its own (so that its CPU is not
 * charged to the client being measured): the OpenAI-protocol test server on 127.0.0.1, whose models answer
 * at once with 1 to 2 KB of text ({@link threadGrowthAnswer}). Prints `{"url": ...}` on its first line of
 * output and stops when its standard input closes. Started by {@link startThreadGrowthServer}.
 */
import { startOpenAIServer } from "../../test/support/openai-server.js";
import type { ModelScript, RecordedRequest } from "../../test/support/protocol-server.js";
import { THREAD_GROWTH_MODELS, threadGrowthAnswer } from "./thread-growth-answer.js";

/** The turn a request belongs to: the number of user messages in its conversation. */
const turnOf = (request: RecordedRequest): number => request.messages.filter((message) => message.role === "user").length;

const models: Record<string, ModelScript> = Object.fromEntries(
  THREAD_GROWTH_MODELS.map((model) => [model, { text: (request: RecordedRequest) => threadGrowthAnswer(model, turnOf(request)) }]),
);
const server = await startOpenAIServer({ models });
// The server records every request for tests; the benchmark never reads them.
setInterval(() => (server.requests.length = 0), 1_000).unref();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
