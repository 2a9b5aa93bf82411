/**
 * A local server speaking the OpenAI Chat Completions wire protocol (`POST /v1/chat/completions`,
 * JSON or SSE with `data: [DONE]`; `GET /v1/models`), for the real `ChatOpenAI` client.
 */
import { startProtocolServer, type Answer, type ProtocolAdapter, type ProtocolServer, type ServerOptions } from "./protocol-server.js";
import { functionToolNames, messagesOf, splitArguments, toolChoiceOf, type AnswerToolCall } from "./tool-calls.js";

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: "invalid_request_error", code: null },
  404: { type: "invalid_request_error", code: "model_not_found" },
  429: { type: "requests", code: "rate_limit_exceeded" },
};

function usageOf(answer: Answer): Record<string, number> | undefined {
  const { usage } = answer;
  if (!usage) return undefined;
  return { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output };
}

function includeUsage(answer: Answer): boolean {
  const body = answer.request.body as { stream_options?: { include_usage?: boolean } };
  return body.stream_options?.include_usage === true;
}

function chunkOf(answer: Answer, choices: unknown[]): Record<string, unknown> {
  const base = { id: `chatcmpl-${answer.id}`, object: "chat.completion.chunk", created: answer.created, model: answer.model, system_fingerprint: null, choices };
  return includeUsage(answer) ? { ...base, usage: null } : base;
}

function deltaChunk(answer: Answer, delta: Record<string, unknown>): Record<string, unknown> {
  return chunkOf(answer, [{ index: 0, delta, logprobs: null, finish_reason: null }]);
}

const finishReason = (answer: Answer): string => (answer.toolCalls.length > 0 ? "tool_calls" : "stop");

function wireToolCall(call: AnswerToolCall): Record<string, unknown> {
  return { id: call.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.args) } };
}

/** The assistant message: OpenAI sends `content: null` when the answer is only tool calls. */
function messageOf(answer: Answer): Record<string, unknown> {
  const { toolCalls, text } = answer;
  if (toolCalls.length === 0) return { role: "assistant", content: text, refusal: null };
  return { role: "assistant", content: text === "" ? null : text, refusal: null, tool_calls: toolCalls.map(wireToolCall) };
}

/**
 * One tool call streamed as OpenAI does: a delta naming it (id, name, empty arguments; with the role when
 * nothing came before), then its JSON arguments in several deltas.
 */
function toolCallDeltas(answer: Answer, call: AnswerToolCall, index: number): Record<string, unknown>[] {
  const opening = index === 0 && answer.pieces.length === 0 ? { role: "assistant", content: null } : {};
  const head = { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } };
  const pieces = splitArguments(JSON.stringify(call.args)).map((piece) => deltaChunk(answer, { tool_calls: [{ index, function: { arguments: piece } }] }));
  return [deltaChunk(answer, { ...opening, tool_calls: [head] }), ...pieces];
}

const adapter: ProtocolAdapter = {
  protocol: "openai",
  framing: "sse",
  streamTrailer: "data: [DONE]\n\n",
  route(method, path, models) {
    if (method === "POST" && path === "/v1/chat/completions") return { kind: "chat" };
    if (method === "GET" && path === "/v1/models") {
      return { kind: "json", body: { object: "list", data: models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "system" })) } };
    }
    return undefined;
  },
  parseChat: (body) => ({
    model: String(body.model),
    stream: body.stream === true,
    messages: messagesOf(body.messages),
    tools: functionToolNames(body.tools),
    ...toolChoiceOf(body.tool_choice),
  }),
  errorBody(status, message) {
    const { type, code } = ERROR_TYPES[status] ?? { type: "server_error", code: null };
    return { error: { message, type, param: null, code } };
  },
  modelNotFound: (model) => `The model \`${model}\` does not exist or you do not have access to it.`,
  complete: (answer) => ({
    id: `chatcmpl-${answer.id}`,
    object: "chat.completion",
    created: answer.created,
    model: answer.model,
    choices: [{ index: 0, message: messageOf(answer), logprobs: null, finish_reason: finishReason(answer) }],
    usage: usageOf(answer),
    system_fingerprint: null,
  }),
  chunk: (answer, piece) => deltaChunk(answer, { role: "assistant", content: piece }),
  toolCallChunks: (answer) => answer.toolCalls.flatMap((call, index) => toolCallDeltas(answer, call, index)),
  closing(answer) {
    const finish = chunkOf(answer, [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason(answer) }]);
    const usage = usageOf(answer);
    return includeUsage(answer) && usage ? [finish, { ...chunkOf(answer, []), usage }] : [finish];
  },
};

/** Starts an OpenAI-compatible server on 127.0.0.1; point `ChatOpenAI` at `${server.url}/v1`. */
export function startOpenAIServer(options: ServerOptions): Promise<ProtocolServer> {
  return startProtocolServer(adapter, options);
}
