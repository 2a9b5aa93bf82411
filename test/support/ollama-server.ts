/**
 * A local server speaking the Ollama wire protocol (`POST /api/chat`, NDJSON stream by default or one
 * JSON object with `stream: false`; `GET /api/tags`, `GET /api/version`), for the real `ChatOllama`.
 */
import { createHash } from "node:crypto";
import { startProtocolServer, type Answer, type ProtocolAdapter, type ProtocolServer, type ServerOptions } from "./protocol-server.js";
import { functionToolNames, messagesOf, type AnswerToolCall } from "./tool-calls.js";

const MODIFIED_AT = "2025-01-01T00:00:00.000000000Z";

function tagOf(name: string): Record<string, unknown> {
  return {
    name,
    model: name,
    modified_at: MODIFIED_AT,
    size: 4_920_753_328,
    digest: createHash("sha256").update(name).digest("hex"),
    details: { parent_model: "", format: "gguf", family: "llama", families: ["llama"], parameter_size: "8.0B", quantization_level: "Q4_K_M" },
  };
}

/** Ollama's tool calls: arguments as an object, no id. */
function wireToolCalls(calls: AnswerToolCall[]): { tool_calls?: unknown[] } {
  return calls.length === 0 ? {} : { tool_calls: calls.map((call) => ({ function: { name: call.name, arguments: call.args } })) };
}

function line(answer: Answer, content: string, done: boolean, toolCalls: AnswerToolCall[] = []): Record<string, unknown> {
  const head = { model: answer.model, created_at: new Date().toISOString(), message: { role: "assistant", content, ...wireToolCalls(toolCalls) }, done };
  if (!done) return head;
  // Ollama counts the prompt tokens it evaluated: a prefix still in its KV cache is not evaluated again.
  const counts = answer.usage ? { prompt_eval_count: answer.usage.input - (answer.usage.cached ?? 0), eval_count: answer.usage.output } : {};
  const reason = answer.finishReason === undefined ? "stop" : answer.finishReason;
  return { ...head, ...(reason !== null ? { done_reason: reason } : {}), total_duration: 1_000_000, load_duration: 100_000, prompt_eval_duration: 200_000, eval_duration: 700_000, ...counts };
}

const adapter: ProtocolAdapter = {
  protocol: "ollama",
  framing: "ndjson",
  route(method, path, models) {
    if (method === "POST" && path === "/api/chat") return { kind: "chat" };
    if (method === "GET" && path === "/api/tags") return { kind: "json", body: { models: models.map(tagOf) } };
    if (method === "GET" && path === "/api/version") return { kind: "json", body: { version: "0.12.6" } };
    return undefined;
  },
  // Ollama streams unless the body says `stream: false`; it has no tool choice.
  parseChat: (body) => ({ model: String(body.model), stream: body.stream !== false, messages: messagesOf(body.messages), tools: functionToolNames(body.tools) }),
  errorBody: (_status, message) => ({ error: message }),
  modelNotFound: (model) => `model "${model}" not found, try pulling it first`,
  complete: (answer) => line(answer, answer.text, true, answer.toolCalls),
  chunk: (answer, piece) => line(answer, piece, false),
  // Ollama streams all the tool calls whole in one line, before the `done` line.
  toolCallChunks: (answer) => [line(answer, "", false, answer.toolCalls)],
  closing: (answer) => [line(answer, "", true)],
};

/** Starts an Ollama-compatible server on 127.0.0.1; give `ChatOllama` `baseUrl: server.url`. */
export function startOllamaServer(options: ServerOptions): Promise<ProtocolServer> {
  return startProtocolServer(adapter, options);
}
