/**
 * A local server speaking the Gemini (Generative Language API) wire protocol:
 * `POST /v1beta/models/{model}:generateContent`, `POST /v1beta/models/{model}:streamGenerateContent?alt=sse`
 * and `GET /v1beta/models`, for the real `ChatGoogleGenerativeAI` client.
 */
import { messagesOf, startProtocolServer, textOf, type Answer, type ProtocolAdapter, type ProtocolServer, type RecordedMessage, type ServerOptions } from "./protocol-server.js";

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

/** A GenerateContentResponse; `usage` as given (streams send the prompt count first, the total at the end). */
function response(answer: Answer, text: string, finished: boolean, usage: Answer["usage"]): Record<string, unknown> {
  const candidate = { content: { parts: [{ text }], role: "model" }, index: 0, ...(finished ? { finishReason: "STOP" } : {}) };
  const usageMetadata = usage ? { usageMetadata: { promptTokenCount: usage.input, candidatesTokenCount: usage.output, totalTokenCount: usage.input + usage.output } } : {};
  return { candidates: [candidate], ...usageMetadata, modelVersion: answer.model, responseId: answer.id };
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
    messages: [...systemOf(body.systemInstruction), ...messagesOf(body.contents, "parts")],
  }),
  errorBody(status, message, retryAfterSeconds) {
    const details = retryAfterSeconds === undefined ? {} : { details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${retryAfterSeconds}s` }] };
    return { error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN", ...details } };
  },
  modelNotFound: (model) =>
    `models/${model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
  complete: (answer) => response(answer, answer.text, true, answer.usage),
  chunk: (answer, piece) => response(answer, piece, false, answer.usage && { input: answer.usage.input, output: 0 }),
  closing: (answer) => [response(answer, "", true, answer.usage)],
};

/**
 * Starts a Gemini-compatible server on 127.0.0.1; give `ChatGoogleGenerativeAI` `baseUrl: server.url`
 * (the SDK appends `/v1beta/models/{model}:{task}`).
 */
export function startGeminiServer(options: ServerOptions): Promise<ProtocolServer> {
  return startProtocolServer(adapter, options);
}
