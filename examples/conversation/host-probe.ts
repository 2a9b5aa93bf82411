/**
 * Asks a model's server whether it is there: one GET of its model list (OpenAI-compatible `/models`,
 * Ollama `/api/tags`, Gemini `/v1beta/models`) with a short timeout. Listing models is free and sends
 * the key only where the model's own calls would send it.
 */

/** What the server did. */
export type HostAnswer =
  /**
   * It answered with an HTTP status; `models` are the names it listed, when its answer was a list, and
   * `morePages` is set when that list is only its first page (Gemini's `nextPageToken`).
   */
  | { readonly kind: "answered"; readonly status: number; readonly models?: readonly string[]; readonly morePages?: boolean; readonly keyRefused: boolean }
  /** No connection: `code` is the system's reason (`ECONNREFUSED`, `ENOTFOUND`), or the client's. */
  | { readonly kind: "unreachable"; readonly code: string }
  /** No answer within the timeout. */
  | { readonly kind: "silent"; readonly timeoutMs: number };

/** Where and how to ask. */
export interface HostRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** GETs `request.url` and reads the model list from the answer, if it is one. */
export async function askHost(request: HostRequest, timeoutMs: number): Promise<HostAnswer> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, { headers: request.headers, signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return { kind: "silent", timeoutMs };
    return { kind: "unreachable", code: connectionCode(error) };
  }
  const listing = modelNames(text);
  // Gemini answers a bad key with 400 API_KEY_INVALID rather than 401.
  const keyRefused = response.status === 401 || response.status === 403 || (response.status === 400 && text.includes("API_KEY_INVALID"));
  return { kind: "answered", status: response.status, keyRefused, ...(response.ok && listing ? listing : {}) };
}

/**
 * The names in a model list: OpenAI's `data[].id`, Ollama's `models[].name`, Gemini's `models[].name`
 * (`models/` dropped), and whether more pages follow.
 */
function modelNames(text: string): { models: string[]; morePages?: true } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const { data, models, nextPageToken } = (typeof body === "object" && body !== null ? body : {}) as { data?: unknown; models?: unknown; nextPageToken?: unknown };
  const entries = Array.isArray(models) ? models : Array.isArray(data) ? data : undefined;
  if (!entries) return undefined;
  const names = entries
    .map((entry: { id?: unknown; name?: unknown }) => String(entry.name ?? entry.id ?? "").replace(/^models\//, ""))
    .filter((name) => name !== "");
  return { models: names, ...(typeof nextPageToken === "string" && nextPageToken !== "" ? { morePages: true } : {}) };
}

/** `ECONNREFUSED` and the like from fetch's error (Node puts it on the cause, or on each attempt of a happy-eyeballs connect). */
function connectionCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } }).cause;
  const code = cause?.code ?? cause?.errors?.find((attempt) => typeof attempt.code === "string")?.code;
  if (typeof code === "string") return code;
  if (typeof cause?.message === "string" && cause.message !== "") return cause.message;
  return error instanceof Error ? error.message : String(error);
}
