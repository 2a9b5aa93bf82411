/**
 * A local server speaking the Gemini (Generative Language API) wire protocol:
 * `POST /v1beta/models/{model}:generateContent`, `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`
 * and `GET /v1beta/models`, for the real `ChatGoogleGenerativeAI` client.
 */
import { startProtocolServer, type Answer, type ProtocolAdapter, type ProtocolServer, type RecordedMessage, type ServerOptions } from "./protocol-server.js";
import { asObject, namesOf, normalizeRole, parseArguments, resultText, textOf, toolChoiceOf } from "./tool-calls.js";

const STATUS_NAMES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

const GENERATE_PATH = /^\/(v1|v1beta)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

function systemOf(instruction: unknown): RecordedMessage[] {
  if (typeof instruction === "string") return [{ role: "system", content: instruction }];
  if (typeof instruction !== "object" || instruction === null || !("parts" in instruction)) return [];
  return [{ role: "system", content: textOf(instruction.parts) }];
}

type Part = Record<string, unknown>;

/** A tool result: the `result` of a `functionResponse` part as text (any other response, an error, as JSON). */
function toolResult({ name, response }: Part): RecordedMessage {
  const fields = asObject(response);
  const content = "result" in fields ? resultText(fields.result) : resultText(response);
  return { role: "tool", content, ...(typeof name === "string" ? { name } : {}) };
}

/**
 * One `contents` entry as messages: each `functionResponse` part is a tool result; otherwise one message
 * of the entry's role with its text and, for `functionCall` parts, its tool calls.
 */
function contentMessages(entry: unknown): RecordedMessage[] {
  const { role, parts } = asObject(entry);
  const list = Array.isArray(parts) ? parts.map(asObject) : [];
  const results = list.filter((part) => part.functionResponse !== undefined).map((part) => toolResult(asObject(part.functionResponse)));
  if (results.length > 0) return results;
  const calls = list.filter((part) => part.functionCall !== undefined).map((part) => asObject(part.functionCall));
  const toolCalls = calls.map(({ name, args }) => ({ name: String(name ?? ""), args: parseArguments(args) }));
  return [{ role: normalizeRole(role), content: textOf(list), ...(toolCalls.length > 0 ? { toolCalls } : {}) }];
}

/** Names of the offered tools: `tools[].functionDeclarations[].name`. */
function toolNames(tools: unknown): string[] {
  const declarations = Array.isArray(tools) ? tools.flatMap((tool: unknown) => asObject(tool).functionDeclarations ?? []) : [];
  return namesOf(declarations, (declaration) => declaration.name);
}

/** The answer's tool calls as `functionCall` parts (Gemini puts no ids on the wire). */
const callParts = (answer: Answer): Part[] => answer.toolCalls.map((call) => ({ functionCall: { name: call.name, args: call.args } }));

/** A GenerateContentResponse; `usage` as given (streams send the prompt count first, the total at the end). */
function response(answer: Answer, parts: Part[], finished: boolean, usage: Answer["usage"]): Record<string, unknown> {
  const reason = answer.finishReason === undefined ? "STOP" : answer.finishReason;
  // A candidate stopped by a filter (SAFETY, RECITATION, ...) before any text comes without content.
  const contentless = answer.text === "" && answer.toolCalls.length === 0 && reason !== null && reason !== "STOP";
  const candidate = { ...(contentless ? {} : { content: { parts, role: "model" } }), index: 0, ...(finished && reason !== null ? { finishReason: reason } : {}) };
  return { candidates: [candidate], ...usageMetadataOf(usage), modelVersion: answer.model, responseId: answer.id };
}

function usageMetadataOf(usage: Answer["usage"]): Record<string, unknown> {
  const cached = usage?.cached ? { cachedContentTokenCount: usage.cached } : {};
  return usage ? { usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output, ...cached } } : {};
}

const adapter: ProtocolAdapter = {
  protocol: "gemini",
  framing: "sse",
  route(method, path, models) {
    const match = GENERATE_PATH.exec(path);
    if (method === "POST" && match) return { kind: "chat", model: match[2], stream: match[3] === "streamGenerateContent" };
    if (method === "GET" && path === "/v1beta/models") {
      const supportedGenerationMethods = ["generateContent", "streamGenerateContent"];
      return { kind: "json", body: { models: models.map((name) => ({ name: `models/${name}`, displayName: name, supportedGenerationMethods })) } };
    }
    return undefined;
  },
  parseChat: (body, route) => ({
    model: route.model ?? "",
    stream: route.stream === true,
    messages: [...systemOf(body.systemInstruction), ...(Array.isArray(body.contents) ? body.contents.flatMap((entry: unknown) => contentMessages(entry)) : [])],
    tools: toolNames(body.tools),
    ...toolChoiceOf(body.toolConfig),
  }),
  errorBody(status, message, retryAfterSeconds, code) {
    const details = [
      ...(code === undefined ? [] : [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: code, domain: "googleapis.com" }]),
      ...(retryAfterSeconds === undefined ? [] : [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfterSeconds}s` }]),
    ];
    return { error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN", ...(details.length > 0 ? { details } : {}) } };
  },
  modelNotFound: (model) =>
    `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
  complete: (answer) => {
    const text = answer.text === "" && answer.toolCalls.length > 0 ? [] : [{ text: answer.text }];
    return response(answer, [...text, ...callParts(answer)], true, answer.usage);
  },
  chunk: (answer, piece) => response(answer, [{ text: piece }], false, answer.usage && { input: answer.usage.input, output: 0 }),
  // The last chunk carries the function calls whole, with the finish reason, as Gemini sends them.
  closing: (answer) => [response(answer, answer.toolCalls.length > 0 ? callParts(answer) : [{ text: "" }], true, answer.usage)],
  blocked: (answer) => ({ promptFeedback: { blockReason: answer.blockReason }, ...usageMetadataOf(answer.usage && { input: answer.usage.input, output: 0 }), modelVersion: answer.model }),
};

/**
 * Starts a Gemini-compatible server on 127.0.0.1; give `ChatGoogleGenerativeAI` `baseUrl: server.url`
 * (the SDK appends `/v1beta/models/{model}:{task}`).
 */
export function startGeminiServer(options: ServerOptions): Promise<ProtocolServer> {
  return startProtocolServer(adapter, options);
}
