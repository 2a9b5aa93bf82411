/**
 * Messages and tool calling for the local protocol servers: reading chat messages, the tools offered and
 * the tool history off a request, and the tool calls a script makes a model answer with. Protocol-neutral
 * except for the OpenAI-style `tool_calls` / `tools[].function` shapes, which Ollama shares.
 */
import type { RecordedMessage, RecordedRequest } from "./protocol-server.js";

/** A tool call a script makes the model answer with. Without `id`, the server makes one up (`call_<n>`). */
export interface ToolCallScript {
  name: string;
  args: Record<string, unknown>;
  id?: string;
  /** OpenAI only: the arguments sent as this text instead of `args` as JSON (e.g. JSON cut at the token limit). */
  argumentsText?: string;
}

/** Scripted tool calls: a list, or a function of the recorded request (undefined or [] for none). */
export type ToolCallsScript = ToolCallScript[] | ((request: RecordedRequest) => ToolCallScript[] | undefined);

/** A tool call of an answer, its id settled (Gemini does not put ids on the wire). */
export interface AnswerToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
  /** See {@link ToolCallScript.argumentsText}. */
  argumentsText?: string;
}

/** A tool call found in a request's history, on an assistant message. `id` only when the wire has one. */
export interface RecordedToolCall {
  name: string;
  args: Record<string, unknown>;
  id?: string;
}

/** Characters per streamed piece of OpenAI tool-call arguments (OpenAI sends a token or so at a time). */
const ARGUMENT_PIECE = 5;

/** `value` if it is a plain object, else {} (for reading request bodies that may hold anything). */
export function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Normalizes a provider role name to system / user / assistant / tool. */
export function normalizeRole(role: unknown): RecordedMessage["role"] {
  if (role === "system" || role === "developer") return "system";
  if (role === "assistant" || role === "model" || role === "ai") return "assistant";
  if (role === "tool") return "tool";
  return "user";
}

/** The text of a message content: a string, or the `text` of each part of an array, joined. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) => (typeof part === "object" && part !== null && "text" in part ? String(part.text) : ""))
    .join("");
}

/**
 * Reads `items` as `{ role, content }` messages with {@link normalizeRole} and {@link textOf}, plus the
 * OpenAI-style tool fields (`tool_calls`, `tool_call_id`, `name` / `tool_name`) when present.
 */
export function messagesOf(items: unknown, contentKey = "content"): RecordedMessage[] {
  if (!Array.isArray(items)) return [];
  return items.map((entry: unknown) => {
    const item = asObject(entry);
    const role = normalizeRole(item.role);
    return { role, content: textOf(item[contentKey]), ...toolFieldsOf(item, role) };
  });
}

/**
 * The tool fields of an OpenAI- or Ollama-style chat message, only those present: `toolCalls` of an
 * assistant message; `toolCallId` (`tool_call_id`) and `name` (OpenAI `name`, Ollama `tool_name`) of a tool result.
 */
export function toolFieldsOf(item: Record<string, unknown>, role: RecordedMessage["role"]): Partial<RecordedMessage> {
  const toolCalls = recordToolCalls(item.tool_calls);
  if (toolCalls.length > 0) return { toolCalls };
  if (role !== "tool") return {};
  const name = item.name ?? item.tool_name;
  return { ...(typeof item.tool_call_id === "string" ? { toolCallId: item.tool_call_id } : {}), ...(typeof name === "string" ? { name } : {}) };
}

/** Reads an OpenAI-style `tool_calls` list: `[{ id?, function: { name, arguments } }]`. */
export function recordToolCalls(calls: unknown): RecordedToolCall[] {
  if (!Array.isArray(calls)) return [];
  return calls.map((call: unknown) => {
    const { id, function: fn } = asObject(call);
    const { name, arguments: args } = asObject(fn);
    return { name: String(name ?? ""), args: parseArguments(args), ...(typeof id === "string" ? { id } : {}) };
  });
}

/** Tool-call arguments as sent (an OpenAI JSON string, or an Ollama / Gemini object), as an object ({} if unreadable). */
export function parseArguments(raw: unknown): Record<string, unknown> {
  if (typeof raw !== "string") return asObject(raw);
  try {
    return asObject(JSON.parse(raw));
  } catch {
    return {};
  }
}

/** A tool result as text: a string as is, text parts joined, anything else as JSON. */
export function resultText(result: unknown): string {
  if (typeof result === "string") return result;
  if (Array.isArray(result) && result.every((part) => typeof asObject(part).text === "string")) return result.map((part) => String(asObject(part).text)).join("");
  return JSON.stringify(result ?? null);
}

/** The strings `pick` finds in each entry of `items` (entries without one are skipped). */
export function namesOf(items: unknown, pick: (item: Record<string, unknown>) => unknown): string[] {
  if (!Array.isArray(items)) return [];
  return items.map((item: unknown) => pick(asObject(item))).filter((name): name is string => typeof name === "string");
}

/** Names of OpenAI-style tools, `tools[].function.name` (OpenAI, Ollama). */
export function functionToolNames(tools: unknown): string[] {
  return namesOf(tools, (tool) => asObject(tool.function).name);
}

/** `{ toolChoice: value }`, or nothing when the request did not send one. */
export function toolChoiceOf(value: unknown): { toolChoice?: unknown } {
  return value === undefined ? {} : { toolChoice: value };
}

/** The tool calls an answer carries: the script's (or its function's) list, with `nextId()` for missing ids. */
export function resolveToolCalls(script: ToolCallsScript | undefined, request: RecordedRequest, nextId: () => string): AnswerToolCall[] {
  const scripted = typeof script === "function" ? script(request) : script;
  if (!Array.isArray(scripted)) return [];
  return scripted.map((call) => ({ id: call.id ?? nextId(), name: call.name, args: call.args ?? {}, ...(call.argumentsText !== undefined ? { argumentsText: call.argumentsText } : {}) }));
}

/** Splits tool-call arguments (a JSON string) into the pieces OpenAI streams them in; never empty. */
export function splitArguments(json: string): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < json.length; at += ARGUMENT_PIECE) pieces.push(json.slice(at, at + ARGUMENT_PIECE));
  return pieces.length > 0 ? pieces : [""];
}
