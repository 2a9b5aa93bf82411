/** The size of a model's file, asked of its server without downloading it. */
import { stat } from "node:fs/promises";
import { MoAModelFileError } from "../errors.js";
import { offlineError, toModelFileError, type DownloadContext } from "./download-errors.js";
import { hubEndpoint } from "./hub-endpoint.js";
import { localFile } from "./local-model-file.js";
import { resolveModelsDirectory } from "./models-directory.js";
import { firstUrl, parseModelSource } from "./model-source.js";

/** Options of {@link remoteModelSize}. */
export interface RemoteModelSizeOptions {
  /** Cancels the request: the call rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** How long (ms) to wait for the server's answer. Default 10,000 ms. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The size in bytes of `model`'s file, asked of the server without downloading it: the hub's manifest for
 * an `hf:<user>/<repo>:<quant>` URI, a HEAD request (redirects followed) for a URL or an `hf:` file URI; a
 * stat for a local path. For a model split in parts, the first part's size.
 * @throws {MoAModelFileError} `not_found` (404), `offline` (no answer), `failed` (another status, or no size given);
 *   `missing_file` for a local path that does not exist.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function remoteModelSize(model: string, options: RemoteModelSizeOptions = {}): Promise<number> {
  const source = parseModelSource(model);
  if (source.kind === "file") return (await stat(await localFile(model, source.path))).size;
  const endpoint = hubEndpoint();
  const directory = resolveModelsDirectory();
  const context: DownloadContext = { model: model.trim(), source, directory, endpoint, url: firstUrl(source, endpoint) };
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const request = async (url: string, init: RequestInit): Promise<Response> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    try {
      const response = await fetch(url, { ...init, signal, headers: { ...authorization(url, endpoint), ...(init.headers as Record<string, string>) } });
      if (!response.ok) throw toModelFileError(Object.assign(new Error(`${url} answered ${response.status}`), { statusCode: response.status, url }), context);
      return response;
    } catch (error) {
      options.signal?.throwIfAborted();
      if (MoAModelFileError.isInstance(error)) throw error;
      if (timeout.aborted) throw offlineError(context, url, `no answer within ${timeoutMs} ms`, error);
      throw toModelFileError(error, { ...context, url });
    }
  };

  let fileUrl = context.url;
  if (source.kind === "hf-tag") {
    const response = await request(context.url, { headers: { "User-Agent": "llama-cpp" } });
    const manifest = (await response.json().catch(() => undefined)) as { ggufFile?: { rfilename?: unknown; size?: unknown } } | undefined;
    const size = manifest?.ggufFile?.size;
    if (typeof size === "number" && size > 0) return size;
    const file = manifest?.ggufFile?.rfilename;
    if (typeof file !== "string") throw toModelFileError(new Error(`the manifest at ${context.url} names no GGUF file`), context);
    fileUrl = firstUrl({ kind: "hf-file", user: source.user, repo: source.repo, file, branch: "main" }, endpoint);
  }
  const response = await request(fileUrl, { method: "HEAD" });
  const size = Number(response.headers.get("x-linked-size") ?? response.headers.get("content-length"));
  if (!Number.isFinite(size) || size <= 0) throw toModelFileError(new Error(`${fileUrl} gave no size`), { ...context, url: fileUrl });
  return size;
}

/** `Authorization` with `HF_TOKEN` for a request to the hub endpoint (as node-llama-cpp sends it), else nothing. */
function authorization(url: string, endpoint: string): Record<string, string> {
  const token = process.env.HF_TOKEN?.trim();
  return token && new URL(url).host === new URL(endpoint).host ? { Authorization: `Bearer ${token}` } : {};
}
