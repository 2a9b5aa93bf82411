/**
 * The benchmarks' model server, run as a process of its own (so that its CPU is not charged to the client
 * being measured): the OpenAI-protocol test server on 127.0.0.1 with two models, `instant` (answers at
 * once) and `model-100ms` (answers after 100 ms). Prints `{"url": ...}` on its first line of output and
 * stops when its standard input closes. Started by {@link startModelServerProcess}.
 */
import { startOpenAIServer } from "../test/support/openai-server.js";

const text = "an answer of a few words";
const server = await startOpenAIServer({ models: { instant: { text }, "model-100ms": { text, latencyMs: 100 } } });
// The server records every request for tests; the benchmarks never read them.
setInterval(() => (server.requests.length = 0), 1_000).unref();
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.stdin.resume();
process.stdin.on("end", () => void server.close().then(() => process.exit(0)));
