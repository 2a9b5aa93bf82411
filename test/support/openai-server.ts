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

function usageOf(answer: Answer): Record<string, unknown> | undefined {
  const { usage } = answer;
  if (!usage) return undefined;
  const cached = usage.cached === undefined ? {} : { prompt_tokens_details: { cached_tokens: usage.cached } };
  return { prompt_tokens: usage.input, completion_tokens: usage.output, total_tokens: usage.input + usage.output, ...cached };
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

const finishReason = (answer: Answer): string | null => (answer.finishReason !== undefined ? answer.finishReason : answer.toolCalls.length > 0 ? "tool_calls" : "stop");

function wireToolCall(call: AnswerToolCall): Record<string, unknown> {
  return { id: call.id, type: "function", function: { name: call.name, arguments: argumentsOf(call) } };
}

const argumentsOf = (call: AnswerToolCall): string => call.argumentsText ?? JSON.stringify(call.args);

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
  const pieces = splitArguments(argumentsOf(call)).map((piece) => deltaChunk(answer, { tool_calls: [{ index, function: { arguments: piece } }] }));
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
  errorBody(status, message, _retryAfterSeconds, code) {
    const known = ERROR_TYPES[status] ?? { type: "server_error", code: null };
    return { error: { message, type: known.type, param: null, code: code ?? known.code } };
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

/** What a reasoning model behind an OpenAI-compatible server (vLLM, DeepSeek, LM Studio) sends besides its text. */
export interface ReasoningScript {
  /** Sent as the message's `reasoning_content` (when streaming, in the first delta, next to the first text piece). */
  readonly reasoningContent?: string;
  /** The `finish_reason` sent instead of `stop` / `tool_calls`, e.g. `"length"` when the token limit ran out. */
  readonly finishReason?: string;
}

/** Options of {@link startOpenAIServer}: those of every protocol server, plus reasoning per model. */
export interface OpenAIServerOptions extends ServerOptions {
  /** Per model name: its reasoning and finish reason (models not listed answer plainly). */
  readonly reasoning?: Readonly<Record<string, ReasoningScript>>;
}

type Choice = { message?: Record<string, unknown>; delta?: Record<string, unknown>; finish_reason: string | null };

/** `base` with each listed model's `reasoning_content` and finish reason added to what it sends. */
function withReasoning(base: ProtocolAdapter, scripts: Readonly<Record<string, ReasoningScript>>): ProtocolAdapter {
  const reasoningSent = new WeakSet<Answer>();
  const edit = (event: unknown, answer: Answer, change: (choice: Choice, script: ReasoningScript) => Choice): unknown => {
    const script = scripts[answer.model];
    const body = event as { choices?: Choice[] };
    return script && body.choices ? { ...body, choices: body.choices.map((choice) => change(choice, script)) } : event;
  };
  const finish = (choice: Choice, script: ReasoningScript): Choice =>
    choice.finish_reason !== null && script.finishReason !== undefined ? { ...choice, finish_reason: script.finishReason } : choice;
  const reasoning = (script: ReasoningScript) => (script.reasoningContent !== undefined ? { reasoning_content: script.reasoningContent } : {});
  return {
    ...base,
    complete: (answer) => edit(base.complete(answer), answer, (choice, script) => finish({ ...choice, message: { ...choice.message, ...reasoning(script) } }, script)),
    chunk(answer, piece) {
      if (reasoningSent.has(answer)) return base.chunk(answer, piece);
      reasoningSent.add(answer);
      return edit(base.chunk(answer, piece), answer, (choice, script) => ({ ...choice, delta: { ...choice.delta, ...reasoning(script) } }));
    },
    closing: (answer) => base.closing(answer).map((event) => edit(event, answer, finish)),
  };
}

/** Starts an OpenAI-compatible server on 127.0.0.1; point `ChatOpenAI` at `${server.url}/v1`. */
export function startOpenAIServer(options: OpenAIServerOptions): Promise<ProtocolServer> {
  return startProtocolServer(options.reasoning ? withReasoning(adapter, options.reasoning) : adapter, options);
}
