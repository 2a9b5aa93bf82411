/**
 * Asks a local Ollama which models it serves (`GET /api/tags`), with a short timeout, so the example can
 * start without flags on a machine that runs Ollama.
 */

/** A model an Ollama server has pulled. */
export interface OllamaModel {
  readonly name: string;
  /** Bytes on disk; 0 when not reported. */
  readonly size: number;
}

/** What the server answered: its chat models, or why it could not be asked. */
export type OllamaListing = { readonly ok: true; readonly models: OllamaModel[] } | { readonly ok: false; readonly reason: string };

const DEFAULT_PORT = "11434";

/**
 * The base URL of the Ollama server named by `host` (`OLLAMA_HOST`), read as Ollama itself reads it:
 * without a scheme, http and port 11434 (with one, the scheme's port); the host defaults to 127.0.0.1,
 * also for 0.0.0.0.
 */
export function ollamaBaseUrl(host: string | undefined): string {
  const value = (host ?? "").trim() || "127.0.0.1";
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value);
  const url = new URL(hasScheme ? value : `http://${value.startsWith(":") ? `127.0.0.1${value}` : value}`);
  if (url.hostname === "0.0.0.0") url.hostname = "127.0.0.1";
  if (!hasScheme && url.port === "" && !/:\d+(\/|$)/.test(value)) url.port = DEFAULT_PORT;
  return url.toString().replace(/\/+$/, "");
}

/** Lists the chat models (embedding models left out) served at `baseUrl`, smallest first. */
export async function listOllamaModels(baseUrl: string, timeoutMs: number): Promise<OllamaListing> {
  let body: unknown;
  try {
    const response = await fetch(`${baseUrl}/api/tags`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { ok: false, reason: `it answered HTTP ${response.status}` };
    body = await response.json();
  } catch (error) {
    return { ok: false, reason: reasonOf(error, timeoutMs) };
  }
  const entries = (body as { models?: unknown }).models;
  if (!Array.isArray(entries)) return { ok: false, reason: "its answer is not a model list" };
  const models = entries
    .map((entry: { name?: unknown; model?: unknown; size?: unknown; details?: { family?: unknown } }) => ({
      name: String(entry.name ?? entry.model ?? ""),
      size: typeof entry.size === "number" ? entry.size : 0,
      family: String(entry.details?.family ?? ""),
    }))
    .filter((model) => model.name !== "" && !/embed|bge|minilm/i.test(model.name) && !/bert/i.test(model.family))
    .sort((a, b) => a.size - b.size || a.name.localeCompare(b.name));
  return { ok: true, models: models.map(({ name, size }) => ({ name, size })) };
}

function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause?.code === "ECONNREFUSED") return "nothing is listening there";
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}
