/**
 * Shared machinery of the local LLM protocol servers (OpenAI, Ollama, Gemini) used to test the real
 * LangChain clients without contacting any provider: scripts, request recording, latency and fault
 * injection, connection tracking. Each protocol only supplies a {@link ProtocolAdapter}.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { PromptCache, promptTokens, textTokens } from "./prompt-cache.js";
import { resolveToolCalls, type AnswerToolCall, type RecordedToolCall, type ToolCallsScript } from "./tool-calls.js";

export type { AnswerToolCall, RecordedToolCall, ToolCallScript, ToolCallsScript } from "./tool-calls.js";

/** What a scripted model answers, and how. */
export interface ModelScript {
  /** The answer text, or a function of the recorded request. Default `${model} answer` ("" with tool calls). */
  text?: string | ((request: RecordedRequest) => string);
  /** Tool calls to answer with (a list, or a function of the request); missing ids become `call_<n>`. */
  toolCalls?: ToolCallsScript;
  /**
   * Tokens to report; null reports none. Default { input: 10, output: 5 }. A function is given the
   * recorded request and the answer's text, e.g. to report an estimate that grows with the prompt.
   * `"counted"` counts the prompt's and the answer's tokens, and reports the prompt's longest prefix
   * shared with an earlier request to the same model as cached (see `prompt-cache.ts`).
   */
  usage?: Usage | null | "counted" | ((request: RecordedRequest, text: string) => Usage | null);
  /**
   * The model's context window in tokens (counted as `usage: "counted"` counts them): a longer prompt is
   * refused with the provider's 400 (OpenAI's `context_length_exceeded`), as vLLM and OpenAI refuse it.
   */
  maxInputTokens?: number;
  /** Milliseconds before the response starts. */
  latencyMs?: number | (() => number);
  /** Milliseconds between streamed chunks (streaming only). */
  chunkDelayMs?: number;
  /**
   * A fault instead of (or in the middle of) the answer. `times`: how many requests of this model get
   * it before it answers normally (default: every request).
   */
  fault?: Fault;
  /** The response id sent with every answer (a server or cache that repeats its ids); default: unique per request. */
  responseId?: string;
  /**
   * The finish reason sent instead of the normal one (OpenAI `finish_reason`, Ollama `done_reason`, Gemini
   * `finishReason`), e.g. `"content_filter"`, `"length"`, `"SAFETY"`. `null` sends none: a stream then ends
   * after its text without its closing events (a proxy closing the connection cleanly).
   */
  finishReason?: string | null;
  /** Gemini only: the prompt is blocked (`promptFeedback.blockReason`), and no candidate is sent. */
  blockReason?: string;
}

/** Tokens a response reports: read, written, and of those read, how many came from the prompt cache. */
export interface Usage {
  input: number;
  output: number;
  /** Prompt tokens served from the cache (only with `usage: "counted"`). */
  cached?: number;
}

/** A scripted failure; see {@link ModelScript.fault}. */
export type Fault =
  /**
   * An HTTP error status with a JSON error body in the provider's format (and `Retry-After` if given).
   * `message` replaces the generic one; `code` is the provider's error code (OpenAI's `error.code`, e.g.
   * `context_length_exceeded`; Gemini's `google.rpc.ErrorInfo` reason, e.g. `API_KEY_INVALID`; Ollama
   * sends none).
   */
  | { kind: "status"; status: number; retryAfterSeconds?: number; times?: number; message?: string; code?: string; headers?: Record<string, string> }
  /** Destroys the socket after sending the headers and (when streaming) one chunk. */
  | { kind: "reset"; times?: number }
  /** A 200 whose body (or, when streaming, a stream event) is not valid JSON. */
  | { kind: "malformed-json"; times?: number }
  /**
   * Streaming: the first chunk again and again (every chunkDelayMs, default 20 ms) until the client
   * disconnects; non-streaming: a 200 whose JSON body never ends (whitespace at the same pace).
   */
  | { kind: "endless-stream"; times?: number }
  /** Accepts the request and never answers until the client disconnects. */
  | { kind: "hang"; times?: number };

/** The wire protocols served. */
export type Protocol = "openai" | "ollama" | "gemini";

/**
 * One chat message, normalized to role and text. Tool results (OpenAI / Ollama `role: "tool"`, Gemini
 * `functionResponse` parts) have role "tool". The optional fields are only set when present.
 */
export interface RecordedMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  /** The tool calls an assistant message carried (OpenAI / Ollama `tool_calls`, Gemini `functionCall` parts). */
  toolCalls?: RecordedToolCall[];
  /** The id of the call a tool result answers (OpenAI `tool_call_id`). */
  toolCallId?: string;
  /** The tool a result comes from (Gemini `functionResponse.name`, Ollama `tool_name`, OpenAI `name`). */
  name?: string;
}

/** A generation request as the server received it. Only chat/generate requests are recorded. */
export interface RecordedRequest {
  protocol: Protocol;
  model: string;
  /** The URL path, without the query string. */
  path: string;
  stream: boolean;
  /** Messages normalized to role + text, in order; system instructions included as role "system". */
  messages: RecordedMessage[];
  /** Names of the tools offered, in order; [] when none. */
  tools: string[];
  /** The tool choice as sent (OpenAI `tool_choice`, Gemini `toolConfig`); absent when not sent. */
  toolChoice?: unknown;
  /** The parsed JSON body as sent. */
  body: unknown;
  /** Headers as received, lower-case names (tests check for keys; never print them). */
  headers: Record<string, string>;
  receivedAt: number;
}

/** A running protocol server. */
export interface ProtocolServer {
  /** Base URL, e.g. "http://127.0.0.1:43127" (no trailing slash). */
  readonly url: string;
  /** Recorded chat requests, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Requests whose response has not finished and whose connection is still open, right now. */
  inFlight(): number;
  /** Highest inFlight() ever seen. */
  readonly maxInFlight: number;
  /** Number of requests whose connection the client closed before the response finished (aborts). */
  readonly abortedByClient: number;
  /** Open TCP connections right now. */
  openConnections(): number;
  /** Replace or add a model's script at run time (its fault count starts again). */
  setScript(model: string, script: ModelScript): void;
  /** Closes all sockets and clears all timers. */
  close(): Promise<void>;
}

/** Options of every `start*Server` function. */
export interface ServerOptions {
  models: Record<string, ModelScript>;
  /** Script for models not listed; without it they get the provider's 404 "model not found". */
  fallback?: ModelScript;
}

/** What a chat request asks for, as read by an adapter. */
export type ChatRequest = Pick<RecordedRequest, "model" | "stream" | "messages" | "tools" | "toolChoice">;

/** Where a request goes: a chat generation, or a fixed JSON reply (model listings, version). */
export type Route =
  | { kind: "chat"; model?: string; stream?: boolean }
  | { kind: "json"; body: unknown };

/** The answer about to be sent, handed to the adapter's renderers. */
export interface Answer {
  model: string;
  /** A response id, unique per request. */
  id: string;
  /** Unix seconds. */
  created: number;
  text: string;
  /** The text split into stream pieces (by word); concatenated they give `text` (none for "" with tool calls). */
  pieces: string[];
  /** The tool calls to send; [] for a plain text answer. */
  toolCalls: AnswerToolCall[];
  usage: Usage | null;
  request: RecordedRequest;
  /** The script's finish reason, when it replaces the normal one (`null`: none is sent). */
  finishReason?: string | null;
  /** The script's prompt block reason (Gemini). */
  blockReason?: string;
}

/** The protocol-specific half of a server: routing, parsing and rendering. */
export interface ProtocolAdapter {
  readonly protocol: Protocol;
  /** How streams are framed: Server-Sent Events (`data: …\n\n`) or newline-delimited JSON. */
  readonly framing: "sse" | "ndjson";
  /** Raw text sent after the last stream event (OpenAI's `data: [DONE]`). */
  readonly streamTrailer?: string;
  /** Routes a request; undefined gives the provider's 404. `models` are the scripted model names. */
  route(method: string, path: string, models: string[]): Route | undefined;
  /** Reads model, stream flag, messages and the tools offered from a chat body. */
  parseChat(body: Record<string, unknown>, route: { model?: string; stream?: boolean }): ChatRequest;
  /** An error body in the provider's format, with the provider's error `code` when given. */
  errorBody(status: number, message: string, retryAfterSeconds?: number, code?: string): unknown;
  /** The provider's message for an unknown model. */
  modelNotFound(model: string): string;
  /** The non-streaming response body. */
  complete(answer: Answer): unknown;
  /** One streamed event carrying `piece` of the text. */
  chunk(answer: Answer, piece: string): unknown;
  /** The streamed events carrying the tool calls, sent after the text (none: `closing` carries them). */
  toolCallChunks?(answer: Answer): unknown[];
  /** The events that end a stream (finish reason, usage). */
  closing(answer: Answer): unknown[];
  /** The response to a blocked prompt (Gemini's `promptFeedback.blockReason`), sent whole or as the stream's one event. */
  blocked?(answer: Answer): unknown;
}

const DEFAULT_USAGE = { input: 10, output: 5 };
const ENDLESS_DELAY_MS = 20;
const JSON_TYPE = "application/json; charset=utf-8";

/** A generic error message for a status, in the style providers use. */
function statusMessage(status: number, model: string, retryAfterSeconds?: number): string {
  if (status === 429) {
    const hint = retryAfterSeconds === undefined ? "" : ` Please try again in ${retryAfterSeconds}s.`;
    return `Rate limit reached for ${model}.${hint}`;
  }
  return `The server had an error while processing your request (scripted ${status} for ${model}).`;
}

/** Splits text into word pieces ("a b c" → "a ", "b ", "c"); never empty. */
function splitPieces(text: string): string[] {
  const pieces = text.split(/(?<=\s)(?=\S)/);
  return pieces.length > 0 ? pieces : [""];
}

/** One request/response exchange: timers, writes, and how it ended. */
class Exchange {
  private settled = false;
  private endedByServer = false;
  private readonly wakers = new Map<NodeJS.Timeout, () => void>();

  constructor(
    readonly res: ServerResponse,
    private readonly onSettle: (abortedByClient: boolean) => void,
  ) {
    res.on("finish", () => this.settle(false));
    res.on("close", () => this.settle(!this.endedByServer));
    res.on("error", () => undefined);
  }

  /** Waits `ms`; resolves false (at once) if the exchange ends first. */
  sleep(ms: number): Promise<boolean> {
    if (this.settled) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wakers.delete(timer);
        resolve(!this.settled);
      }, ms);
      this.wakers.set(timer, () => resolve(false));
    });
  }

  /** Sends status and headers now. */
  start(status: number, contentType: string, extra: Record<string, string> = {}): void {
    if (this.settled) return;
    this.res.writeHead(status, { "content-type": contentType, ...extra });
    this.res.flushHeaders();
  }

  /** Writes body text (then calls `then` once it is flushed), unless the exchange has ended. */
  write(text: string, then?: () => void): void {
    if (!this.settled) this.res.write(text, then);
  }

  /**
   * Ends the response, unless the exchange has already ended. The exchange counts as over at once: the
   * client, in this same process, may read the answer and send its next request before "finish" fires.
   */
  end(text?: string): void {
    if (this.settled) return;
    this.res.end(text);
    this.settle(false);
  }

  /** Sends a whole JSON response. */
  json(status: number, body: unknown, extra: Record<string, string> = {}): void {
    this.start(status, JSON_TYPE, extra);
    this.end(JSON.stringify(body));
  }

  /** Server-side teardown of the connection (not counted as a client abort). */
  destroy(): void {
    this.endedByServer = true;
    this.res.socket?.destroy();
    this.settle(false);
  }

  private settle(abortedByClient: boolean): void {
    if (this.settled) return;
    this.settled = true;
    for (const [timer, wake] of this.wakers) {
      clearTimeout(timer);
      wake();
    }
    this.wakers.clear();
    this.onSettle(abortedByClient && !this.res.writableFinished);
  }
}

/** Reads a request body; undefined if the client went away first. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  } catch {
    return undefined;
  }
}

/** Request headers as one string per (lower-case) name. */
function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

/** Serves one protocol: starts a server on 127.0.0.1, port 0, driven by `adapter` and the scripts. */
export async function startProtocolServer(adapter: ProtocolAdapter, options: ServerOptions): Promise<ProtocolServer> {
  const scripts = new Map(Object.entries(options.models));
  const faultsServed = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const exchanges = new Set<Exchange>();
  let maxInFlight = 0;
  let abortedByClient = 0;
  let sequence = 0;
  let toolCallSequence = 0;
  const promptCache = new PromptCache();

  const frame = (payload: string): string => (adapter.framing === "sse" ? `data: ${payload}\n\n` : `${payload}\n`);
  const streamType = adapter.framing === "sse" ? "text/event-stream; charset=utf-8" : "application/x-ndjson";

  /** Consumes one fault occurrence for `model`, if its script still has one to give. */
  function takeFault(model: string, script: ModelScript): Fault | undefined {
    const fault = script.fault;
    if (!fault) return undefined;
    const served = faultsServed.get(model) ?? 0;
    if (fault.times !== undefined && served >= fault.times) return undefined;
    faultsServed.set(model, served + 1);
    return fault;
  }

  function usageOf(script: ModelScript, request: RecordedRequest, text: string): Usage | null {
    const { usage } = script;
    if (usage === undefined) return DEFAULT_USAGE;
    if (typeof usage === "function") return usage(request, text);
    if (usage !== "counted") return usage;
    const prompt = promptTokens(request.messages);
    return { input: prompt.length, output: textTokens(text).length, cached: promptCache.read(request.model, prompt) };
  }

  /** What `script` answers to `request`: its text and tool calls (scripts run even when a fault is played). */
  function answerOf(script: ModelScript, request: RecordedRequest): Answer {
    const toolCalls = resolveToolCalls(script.toolCalls, request, () => `call_${++toolCallSequence}`);
    const defaultText = toolCalls.length > 0 ? "" : `${request.model} answer`;
    const text = typeof script.text === "function" ? script.text(request) : (script.text ?? defaultText);
    const pieces = text === "" && toolCalls.length > 0 ? [] : splitPieces(text);
    const usage = usageOf(script, request, text);
    sequence += 1;
    const id = script.responseId ?? `${adapter.protocol}-${sequence}`;
    const ending = { ...(script.finishReason !== undefined ? { finishReason: script.finishReason } : {}), ...(script.blockReason !== undefined ? { blockReason: script.blockReason } : {}) };
    return { model: request.model, id, created: Math.floor(Date.now() / 1000), text, pieces, toolCalls, usage, request, ...ending };
  }

  /** The events of a streamed answer before the closing ones: the text pieces, then the tool calls. */
  function* streamEvents(answer: Answer): Generator<unknown> {
    for (const piece of answer.pieces) yield adapter.chunk(answer, piece);
    if (answer.toolCalls.length > 0) yield* adapter.toolCallChunks?.(answer) ?? [];
  }

  async function streamAnswer(ex: Exchange, answer: Answer, delayMs: number): Promise<void> {
    ex.start(200, streamType);
    let index = 0;
    for (const event of streamEvents(answer)) {
      if (index++ > 0 && delayMs > 0 && !(await ex.sleep(delayMs))) return;
      ex.write(frame(JSON.stringify(event)));
    }
    if (answer.finishReason === null) return ex.end();
    for (const event of adapter.closing(answer)) ex.write(frame(JSON.stringify(event)));
    ex.end(adapter.streamTrailer);
  }

  async function playFault(ex: Exchange, fault: Fault, answer: Answer, stream: boolean, delayMs: number): Promise<void> {
    if (fault.kind === "hang") return;
    if (fault.kind === "status") {
      const retry: Record<string, string> = { ...(fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) }), ...fault.headers };
      const message = fault.message ?? statusMessage(fault.status, answer.model, fault.retryAfterSeconds);
      return ex.json(fault.status, adapter.errorBody(fault.status, message, fault.retryAfterSeconds, fault.code), retry);
    }
    ex.start(200, stream ? streamType : JSON_TYPE);
    // A tool-call-only answer has no text pieces: its filler is an empty text chunk.
    const filler = stream ? frame(JSON.stringify(adapter.chunk(answer, answer.pieces[0] ?? ""))) : " ";
    if (fault.kind === "reset") return ex.write(filler, () => ex.destroy());
    if (fault.kind === "malformed-json") return ex.end(stream ? frame('{"malformed": ') : '{"id": "broken", ');
    while (await ex.sleep(delayMs)) ex.write(filler);
  }

  async function serveChat(ex: Exchange, req: IncomingMessage, path: string, route: { model?: string; stream?: boolean }): Promise<void> {
    const raw = await readBody(req);
    if (raw === undefined) return;
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return ex.json(400, adapter.errorBody(400, "The request body is not valid JSON."));
    }
    const chat = adapter.parseChat(body, route);
    const recorded: RecordedRequest = { protocol: adapter.protocol, ...chat, path, body, headers: flattenHeaders(req), receivedAt: Date.now() };
    requests.push(recorded);
    const script = scripts.get(chat.model) ?? options.fallback;
    if (!script) return ex.json(404, adapter.errorBody(404, adapter.modelNotFound(chat.model)));
    const promptLength = script.maxInputTokens === undefined ? 0 : promptTokens(chat.messages).length;
    if (script.maxInputTokens !== undefined && promptLength > script.maxInputTokens) {
      const message = `This model's maximum context length is ${script.maxInputTokens} tokens. However, your messages resulted in ${promptLength} tokens. Please reduce the length of the messages.`;
      return ex.json(400, adapter.errorBody(400, message, undefined, "context_length_exceeded"));
    }
    const fault = takeFault(chat.model, script);
    const answer = answerOf(script, recorded);
    const latencyMs = typeof script.latencyMs === "function" ? script.latencyMs() : script.latencyMs;
    if (latencyMs && !(await ex.sleep(latencyMs))) return;
    if (fault) return playFault(ex, fault, answer, chat.stream, script.chunkDelayMs ?? ENDLESS_DELAY_MS);
    const blocked = answer.blockReason !== undefined ? adapter.blocked?.(answer) : undefined;
    if (blocked !== undefined && chat.stream) {
      ex.start(200, streamType);
      return ex.end(frame(JSON.stringify(blocked)));
    }
    if (blocked !== undefined) return ex.json(200, blocked);
    if (chat.stream) return streamAnswer(ex, answer, script.chunkDelayMs ?? 0);
    ex.json(200, adapter.complete(answer));
  }

  async function serve(req: IncomingMessage, ex: Exchange): Promise<void> {
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const route = adapter.route(method, path, [...scripts.keys()]);
    if (!route) return ex.json(404, adapter.errorBody(404, `Invalid URL (${method} ${path})`));
    if (route.kind === "json") return ex.json(200, route.body);
    return serveChat(ex, req, path, route);
  }

  const server = createServer((req, res) => {
    const ex = new Exchange(res, (aborted) => {
      exchanges.delete(ex);
      if (aborted) abortedByClient += 1;
    });
    exchanges.add(ex);
    // Counted once the I/O that arrived with this request is handled: a client closes an abandoned
    // request's connection before it sends the next one, but on a busy event loop the server may read
    // the new request before that close, and would count a request no client waits for any more.
    setImmediate(() => {
      if (exchanges.has(ex)) maxInFlight = Math.max(maxInFlight, exchanges.size);
    });
    // A throwing script (e.g. a `text` function) becomes the provider's 500, or a cut connection mid-answer.
    serve(req, ex).catch((error: unknown) => (res.headersSent ? ex.destroy() : ex.json(500, adapter.errorBody(500, String(error)))));
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inFlight: () => exchanges.size,
    get maxInFlight() {
      return maxInFlight;
    },
    get abortedByClient() {
      return abortedByClient;
    },
    openConnections: () => sockets.size,
    setScript(model, script) {
      scripts.set(model, script);
      faultsServed.delete(model);
    },
    async close() {
      for (const ex of exchanges) ex.destroy();
      const closed = [...sockets].map((socket) => new Promise((resolve) => socket.once("close", resolve)));
      for (const socket of sockets) socket.destroy();
      await Promise.all([...closed, new Promise((resolve) => server.close(resolve))]);
    },
  };
}
