/**
 * The model files of the embedded llama.cpp engine: a local `.gguf` path is checked; an `http(s)://` URL
 * or an `hf:` URI is downloaded once into a models directory (by node-llama-cpp's `resolveModelFile`),
 * then found there with no request at all, offline included.
 *
 * What node-llama-cpp (3.21.1, with ipull 3.9) does, and what is added here:
 * - It saves a download as `<file>.ipull` (the file's bytes, then a JSON trailer recording which 5 MiB
 *   chunks are complete) and renames it when done. It deletes that file on an abort unless told not to
 *   (`deleteTempFileOnCancel: false`, which this module sets), and a later call then fetches only the
 *   chunks not complete (ranged GETs from a chunk boundary): a resume after an abort, a killed process or
 *   a stalled network loses at most the chunks in flight. A dropped connection is retried inside the
 *   same call, from the chunk it was in.
 * - An abort makes `resolveModelFile` resolve, with the path of a file that does not exist: here it
 *   rejects with `signal.reason`.
 * - It asks the network for a URL (and an `hf:` tag that is not a quantization name) even when the file
 *   is there, and retries a refused connection about 150 times (about 12 minutes) before failing. Here
 *   an index in the models directory ({@link MODEL_INDEX_FILE}) answers for a file that is there, a TCP
 *   connection is tried first (an unreachable server fails at once with {@link MoAModelFileError}), and a
 *   download that receives nothing for `stallTimeoutMs` stops with the partial file kept.
 * - Now and then ipull's last save of its chunk record lands after its final truncate, so the finished
 *   file ends with that JSON: the file is cut back to the size the server gave.
 * - `HF_ENDPOINT` (or llama.cpp's `MODEL_ENDPOINT`, which wins) points `hf:` URIs at a mirror; the
 *   endpoint is resolved here and passed on, so error messages name the URL that was actually tried.
 */
import { connect } from "node:net";
import { homedir } from "node:os";
import { stat, truncate } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MoAConfigError, MoAModelFileError, type ModelFileErrorReason } from "../errors.js";
import { createDownloadDisplay, formatBytes, type DownloadProgress, type ProgressOutput } from "./download-progress.js";
import { indexedModelPath, recordModelFile } from "./model-index.js";
import { loadNodeLlamaCpp } from "./node-llama-cpp-module.js";

export type { DownloadProgress, ProgressOutput } from "./download-progress.js";
export { MODEL_INDEX_FILE } from "./model-index.js";

/** Options of {@link resolveModelPath}. */
export interface ResolveModelPathOptions {
  /**
   * Where downloaded models are kept (created when missing). Default `MOA_MODELS_DIR`, else
   * {@link defaultModelsDirectory}. Not used for a local path.
   */
  directory?: string;
  /**
   * Stops a download: the call rejects with `signal.reason` (a `DOMException` named `AbortError` when
   * `abort()` was called without a reason), within about 2 s at most, and the partial file is kept, so
   * that the next call resumes it.
   */
  signal?: AbortSignal;
  /**
   * Called as a download progresses, with bytes: `downloadedBytes` never decreases and the last call has
   * `downloadedBytes === totalBytes`. Not called when the file is there already. If it throws, the
   * download stops (the partial file kept) and the call rejects with that error.
   */
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * The display on `output` (default `process.stderr`): a progress bar with bytes, rate and time left on
   * a terminal, one line at the start and one at the end otherwise. `"auto"` (the default) shows it when
   * no `onProgress` is given, `"always"` shows it as well, `"none"` never.
   */
  progressDisplay?: "auto" | "always" | "none";
  /** Where the progress display writes; default `process.stderr`. */
  output?: ProgressOutput;
  /**
   * A download that receives no byte for this long (ms) stops with a `stalled` {@link MoAModelFileError},
   * the partial file kept. Default 60,000 ms. node-llama-cpp alone would retry for about 12 minutes.
   */
  stallTimeoutMs?: number;
  /** How long (ms) to wait for a TCP connection to the server before calling it unreachable. Default 10,000 ms. */
  connectTimeoutMs?: number;
}

/** Options of {@link cachedModelPath}. */
export interface CachedModelPathOptions {
  /** The models directory; default `MOA_MODELS_DIR`, else {@link defaultModelsDirectory}. */
  directory?: string;
}

/** Options of {@link remoteModelSize}. */
export interface RemoteModelSizeOptions {
  /** Cancels the request: the call rejects with `signal.reason`. */
  signal?: AbortSignal;
  /** How long (ms) to wait for the server's answer. Default 10,000 ms. */
  timeoutMs?: number;
}

/** What a model string names. */
type ModelSource =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "hf-tag"; readonly user: string; readonly repo: string; readonly tag: string }
  | { readonly kind: "hf-file"; readonly user: string; readonly repo: string; readonly file: string; readonly branch: string };

const HF_PREFIXES = ["hf://", "huggingface://", "hf:", "huggingface:", "hf.co/", "huggingface.co/"];
const DEFAULT_HUB = "https://huggingface.co/";
const DEFAULT_STALL_MS = 60_000;
const DEFAULT_CONNECT_MS = 10_000;
/** How long an aborted call waits for node-llama-cpp to close its files before it rejects. */
const ABORT_GRACE_MS = 2_000;
/** The quantization names node-llama-cpp upper-cases in an `hf:<user>/<repo>:<tag>` URI (`q8_0` -> `Q8_0`). */
const QUANT_NAME = /^(?:I?Q\d+(?:_[A-Z0-9]+)*|TQ\d_\d|MXFP4(?:_MOE)?|NVFP4|B?F16|F32|COPY)$/i;

/**
 * The per-user cache directory for models, without `MOA_MODELS_DIR`: `$XDG_CACHE_HOME/langgraph-moa/models`
 * (else `~/.cache/langgraph-moa/models`) on Linux and other Unixes, `~/Library/Caches/langgraph-moa/models`
 * on macOS, `%LOCALAPPDATA%\langgraph-moa\models` (else `~\AppData\Local\...`) on Windows.
 */
export function defaultModelsDirectory(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === "win32") {
    const local = env.LOCALAPPDATA && isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : join(home, "AppData", "Local");
    return join(local, "langgraph-moa", "models");
  }
  if (platform === "darwin") return join(home, "Library", "Caches", "langgraph-moa", "models");
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const cache = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, ".cache");
  return join(cache, "langgraph-moa", "models");
}

/** The models directory used: `directory` if given, else `MOA_MODELS_DIR` if set, else {@link defaultModelsDirectory}; absolute. */
export function resolveModelsDirectory(directory?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(directory || env.MOA_MODELS_DIR || defaultModelsDirectory(env));
}

/**
 * The Hugging Face endpoint `hf:` URIs are fetched from, with a trailing slash: `MODEL_ENDPOINT` (llama.cpp's
 * variable, which node-llama-cpp reads first), else `HF_ENDPOINT`, else `https://huggingface.co/`.
 * @throws {MoAConfigError} when the variable is set to something other than an `http(s)://` URL.
 */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ["MODEL_ENDPOINT", "HF_ENDPOINT"] as const) {
    const value = env[name]?.trim();
    if (!value) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new MoAConfigError(name, `"${value}" is not a URL; set it to the http(s):// URL of a Hugging Face mirror, or unset it`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new MoAConfigError(name, `"${value}" is not an http(s):// URL; set it to the URL of a Hugging Face mirror, or unset it`);
    }
    return value.endsWith("/") ? value : `${value}/`;
  }
  return DEFAULT_HUB;
}

/** Which variable set the endpoint, for messages. */
function endpointVariable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.MODEL_ENDPOINT?.trim() ? "MODEL_ENDPOINT" : env.HF_ENDPOINT?.trim() ? "HF_ENDPOINT" : undefined;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") || path.startsWith("~\\") ? join(homedir(), path.slice(1)) : path;
}

/** Reads a model string the way node-llama-cpp does (`hf:` URIs, URLs), with local paths resolved against the working directory. */
function parseModelSource(model: string): ModelSource {
  const text = model.trim();
  if (/^https?:\/\//i.test(text)) return { kind: "url", url: text };
  if (/^file:\/\//i.test(text)) return { kind: "file", path: fileURLToPath(text) };
  const prefix = HF_PREFIXES.find((p) => text.toLowerCase().startsWith(p));
  if (prefix === undefined) return { kind: "file", path: resolve(expandHome(text)) };
  const content = text.slice(prefix.length);
  const [user = "", repoPart = "", ...pathParts] = content.split("/");
  let rest = pathParts.join("/");
  if (rest === "" || repoPart.includes(":")) {
    const [repo = "", ...tagParts] = repoPart.split(":");
    if (user === "" || repo === "") throw invalidUri(model);
    const tag = tagParts.join(":").trim();
    return { kind: "hf-tag", user, repo, tag: QUANT_NAME.test(tag) ? tag.toUpperCase() : tag };
  }
  let branch = "main";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    branch = rest.slice(hash + 1) || "main";
    rest = rest.slice(0, hash);
  }
  if (user === "" || repoPart === "" || rest === "") throw invalidUri(model);
  return { kind: "hf-file", user, repo: repoPart, file: rest, branch };
}

function invalidUri(model: string): MoAConfigError {
  return new MoAConfigError("model", `"${model}" is not a valid Hugging Face URI; use hf:<user>/<repo>:<quant> or hf:<user>/<repo>/<file>.gguf`);
}

/** The first URL a download of `source` requests: the manifest of an `hf:` tag, the file of an `hf:` file URI, or the URL. */
function firstUrl(source: Exclude<ModelSource, { kind: "file" }>, endpoint: string): string {
  const enc = encodeURIComponent;
  switch (source.kind) {
    case "url":
      return source.url;
    case "hf-tag":
      return `${endpoint}v2/${enc(source.user)}/${enc(source.repo)}/manifests/${enc(source.tag || "latest")}`;
    case "hf-file":
      return `${endpoint}${enc(source.user)}/${enc(source.repo)}/resolve/${enc(source.branch)}/${source.file.split("/").map(enc).join("/")}?download=true`;
  }
}

const SAFE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The name node-llama-cpp saves `source` under in the models directory, when it can be told without a
 * request (not for an `hf:` tag that is not a quantization name) and the name needs none of its
 * character replacements; `undefined` otherwise. Used to say where a copy of the file would be found.
 */
function expectedFileName(source: Exclude<ModelSource, { kind: "file" }>): string | undefined {
  const safe = (...parts: string[]) => parts.every((part) => SAFE_NAME.test(part));
  if (source.kind === "url") {
    const name = decodeURIComponent(new URL(source.url).pathname.split("/").pop() ?? "");
    return safe(name) ? name : undefined;
  }
  const ggufRepo = source.repo.toLowerCase().endsWith("-gguf");
  const repoBase = ggufRepo ? source.repo.slice(0, -"-gguf".length) : source.repo;
  if (source.kind === "hf-tag") {
    if (!QUANT_NAME.test(source.tag) || !safe(source.user, source.repo)) return undefined;
    // hf_<user>_[<repo>_]<repo without -GGUF>.<QUANT>.gguf: the repo is left out when it ends in -GGUF.
    return `hf_${source.user}_${ggufRepo ? "" : `${source.repo}_`}${repoBase}.${source.tag}.gguf`;
  }
  const parts = source.file.split("/");
  const file = parts.pop() ?? "";
  if (source.branch !== "main" || !file.toLowerCase().endsWith(".gguf") || !safe(source.user, source.repo, file, ...parts)) return undefined;
  const withRepo = !(ggufRepo && file.toLowerCase().endsWith(".gguf") && file.toLowerCase().startsWith(repoBase.toLowerCase()));
  if (parts.length > 0 && parts.at(-1)!.toLowerCase() === file.slice(0, -".gguf".length).toLowerCase()) parts.pop();
  return ["hf", source.user, ...(withRepo ? [source.repo] : []), ...(parts.length > 0 ? [parts.join("__")] : []), file].join("_");
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function missingFile(model: string, path: string, what: string): MoAModelFileError {
  return new MoAModelFileError(
    { model, reason: "missing_file", path },
    `Model file not found: ${path} ${what}. Give the path of a .gguf file, an https:// URL, or an hf:<user>/<repo>:<quant> URI.`,
  );
}

/** A local path: the absolute path of the file, or a `missing_file` error naming it. */
async function localFile(model: string, path: string): Promise<string> {
  try {
    if ((await stat(path)).isFile()) return path;
  } catch {
    throw missingFile(model, path, "does not exist");
  }
  throw missingFile(model, path, "is not a file");
}

/**
 * The path of `model`'s file if it is here already, with no request: a local path that exists; a URL or
 * `hf:` URI downloaded before into the models directory (found by the directory's index, or by the name
 * node-llama-cpp gives it). `undefined` when a download would be needed, or when the model is a local
 * path that does not exist.
 * @throws {MoAConfigError} for an `hf:` URI that cannot be read, or an `HF_ENDPOINT` that is not a URL.
 */
export async function cachedModelPath(model: string, options: CachedModelPathOptions = {}): Promise<string | undefined> {
  const source = parseModelSource(model);
  if (source.kind === "file") return (await isFile(source.path)) ? source.path : undefined;
  const directory = resolveModelsDirectory(options.directory);
  const indexed = await indexedModelPath(directory, model.trim());
  if (indexed) return indexed;
  let llamaCpp;
  try {
    llamaCpp = await loadNodeLlamaCpp();
  } catch {
    return undefined;
  }
  return findWithoutRequest(llamaCpp.resolveModelFile, model.trim(), source, directory, hubEndpoint());
}

type ResolveModelFile = Awaited<ReturnType<typeof loadNodeLlamaCpp>>["resolveModelFile"];

/** node-llama-cpp's lookup with downloads off (it makes no request then), then the name a URL is saved under. */
async function findWithoutRequest(
  resolveModelFile: ResolveModelFile,
  model: string,
  source: Exclude<ModelSource, { kind: "file" }>,
  directory: string,
  endpoint: string,
): Promise<string | undefined> {
  const found = await resolveModelFile(model, { directory, download: false, cli: false, endpoints: { huggingFace: endpoint } }).catch(() => undefined);
  if (found !== undefined && (await isFile(found))) return found;
  // node-llama-cpp names a URL's file after the URL's last segment, but does not look for it without a request.
  const name = source.kind === "url" ? expectedFileName(source) : undefined;
  if (name !== undefined && (await isFile(join(directory, name)))) return join(directory, name);
  return undefined;
}

/**
 * The path of the `.gguf` file of `model`, downloaded first if needed.
 *
 * `model` is a local path (relative to the working directory; `~` and `file://` accepted), an
 * `http(s)://` URL, or a node-llama-cpp URI: `hf:<user>/<repo>:<quant>` (the file the hub's manifest names
 * for that quantization) or `hf:<user>/<repo>/<path>.gguf` (one file; `#<branch>` optional). URLs and
 * URIs are downloaded once into the models directory ({@link ResolveModelPathOptions.directory}) and found
 * there afterwards with no request, offline included. An interrupted download (abort, killed process,
 * stall) leaves its partial file, which the next call resumes. Progress goes to `onProgress` and/or a bar
 * on stderr ({@link ResolveModelPathOptions.progressDisplay}).
 *
 * @returns The absolute path of the file (for a split model, of its first part).
 * @throws {MoAModelFileError} `missing_file` for a local path that does not exist; `not_found` when the
 *   hub has no such repo, file or quantization (404); `offline` when the server cannot be reached and no
 *   copy is here; `stalled` when a download received nothing for `stallTimeoutMs`; `failed` otherwise. The
 *   error names the model, the URL tried and where a copy of the file would be found.
 * @throws {MoAConfigError} when node-llama-cpp is not installed (the message has the `npm install`
 *   command), for an `hf:` URI that cannot be read, or an `HF_ENDPOINT` that is not a URL.
 * @throws `signal.reason` when `signal` aborts.
 */
export async function resolveModelPath(model: string, options: ResolveModelPathOptions = {}): Promise<string> {
  options.signal?.throwIfAborted();
  const source = parseModelSource(model);
  if (source.kind === "file") return localFile(model, source.path);
  const key = model.trim();
  const directory = resolveModelsDirectory(options.directory);
  const indexed = await indexedModelPath(directory, key);
  if (indexed) return indexed;

  const endpoint = hubEndpoint();
  const llamaCpp = await loadNodeLlamaCpp();
  options.signal?.throwIfAborted();
  const found = await findWithoutRequest(llamaCpp.resolveModelFile, key, source, directory, endpoint);
  if (found !== undefined) {
    if (dirname(found) === directory) await recordModelFile(directory, key, found);
    return found;
  }
  const context: DownloadContext = { model: key, source, directory, endpoint, url: firstUrl(source, endpoint) };
  await checkReachable(context, options.connectTimeoutMs ?? DEFAULT_CONNECT_MS, options.signal);
  return download(llamaCpp.resolveModelFile, context, options);
}

interface DownloadContext {
  readonly model: string;
  readonly source: Exclude<ModelSource, { kind: "file" }>;
  readonly directory: string;
  readonly endpoint: string;
  /** The first URL requested (a manifest, or the file). */
  readonly url: string;
}

/** Where a copy of the file would be found, for messages: a path, or the directory. */
function copyHint(context: DownloadContext): { path?: string; text: string } {
  const name = expectedFileName(context.source);
  if (name !== undefined) {
    const path = join(context.directory, name);
    return { path, text: `put the .gguf file at ${path}, or give the path of a local .gguf file as the model` };
  }
  return { text: `give the path of a local .gguf file as the model (downloads are kept in ${context.directory})` };
}

/** ` (downloads go to <endpoint>, from HF_ENDPOINT)`, for `hf:` models. */
function endpointNote(context: DownloadContext): string {
  if (context.source.kind === "url") return "";
  const variable = endpointVariable();
  return variable ? ` and ${variable} (${context.endpoint})` : "";
}

function offlineError(context: DownloadContext, url: string, why: string, cause?: unknown): MoAModelFileError {
  const hint = copyHint(context);
  return new MoAModelFileError(
    { model: context.model, reason: "offline", url, ...(hint.path ? { path: hint.path } : {}) },
    `Cannot download model "${context.model}": ${why} (${url}), and no copy of it is in ${context.directory}. ` +
      `Check the network connection${endpointNote(context)}, or ${hint.text}.`,
    { cause },
  );
}

/**
 * Opens (and closes) a TCP connection to the server of the first URL: node-llama-cpp would retry a
 * refused connection for minutes before failing. Rejects with an `offline` error, or `signal.reason`.
 */
async function checkReachable(context: DownloadContext, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
  const url = new URL(context.url);
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const port = Number(url.port) || (url.protocol === "https:" ? 443 : 80);
  await new Promise<void>((resolvePromise, reject) => {
    const socket = connect({ host, port });
    const finish = (error?: unknown) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      socket.destroy();
      if (error === undefined) resolvePromise();
      else reject(error);
    };
    const onAbort = () => finish(signal?.reason);
    const timer = setTimeout(() => finish(offlineError(context, context.url, `${host}:${port} did not answer within ${timeoutMs} ms`)), timeoutMs);
    signal?.addEventListener("abort", onAbort, { once: true });
    socket.once("connect", () => finish());
    socket.once("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "ENOTFOUND" || error.code === "EAI_AGAIN" ? `${host} cannot be resolved (${error.code})` : `${host}:${port} cannot be reached (${error.code ?? error.message})`;
      finish(offlineError(context, context.url, why, error));
    });
  });
}

/** The `code` of `error` or of an error in its cause chain (`ECONNREFUSED`, ...). */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === "object" && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A node-llama-cpp or ipull failure as a {@link MoAModelFileError}. */
function toModelFileError(error: unknown, context: DownloadContext): MoAModelFileError {
  if (MoAModelFileError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  const errorUrl = (error as { url?: unknown } | null)?.url;
  const url = typeof errorUrl === "string" ? errorUrl : context.url;
  const hint = copyHint(context);
  const base = { model: context.model, url, ...(hint.path ? { path: hint.path } : {}) };
  const make = (reason: ModelFileErrorReason, text: string, extra: { status?: number } = {}) =>
    new MoAModelFileError({ ...base, reason, ...extra }, text, { cause: error });

  // node-llama-cpp's words for a manifest that answered 400 or 404.
  const quant = /^Cannot get quantization "(.*)" for model "(.*)" or it does not exist/.exec(message);
  if (quant) {
    return make(
      "not_found",
      `The hub has no quantization "${quant[1]}" of ${quant[2]} (404 from ${url}): check the user and repo names and the quantization ` +
        `(the repo's file list shows those it has, e.g. Q4_K_M, Q8_0), or name a file: hf:<user>/<repo>/<file>.gguf.`,
      { status: 404 },
    );
  }
  if (typeof status === "number") {
    if (status === 404) {
      const what = context.source.kind === "url" ? `There is no file at ${url}` : `The hub has no file ${url}`;
      return make("not_found", `${what} (404) for model "${context.model}": check the user, repo and file names.`, { status });
    }
    const access = status === 401 || status === 403 ? " The repo may be gated or private: accept its terms on the hub and set HF_TOKEN." : "";
    return make("failed", `Downloading model "${context.model}" failed: ${url} answered ${status}.${access}`, { status });
  }
  const code = networkCode(error);
  if (code !== undefined || /fetch failed/.test(message)) {
    return offlineError(context, url, `the request failed${code ? ` (${code})` : ""}`, error);
  }
  return make("failed", `Downloading model "${context.model}" from ${url} failed: ${message}`);
}

/** Waits for `promise` to settle, at most `ms`. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.then(() => undefined, () => undefined), new Promise<void>((done) => (timer = setTimeout(done, ms)))]);
  clearTimeout(timer);
}

/** Downloads (or resumes) the file with node-llama-cpp, with our progress, abort, stall and error handling. */
async function download(resolveModelFile: ResolveModelFile, context: DownloadContext, options: ResolveModelPathOptions): Promise<string> {
  const controller = new AbortController();
  const stop = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onCallerAbort = () => stop(options.signal?.reason);
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });

  const displayMode = options.progressDisplay ?? "auto";
  const showDisplay = displayMode === "always" || (displayMode === "auto" && options.onProgress === undefined);
  const name = expectedFileName(context.source);
  const resumed = name !== undefined && (await isFile(join(context.directory, `${name}.ipull`)));
  const display = showDisplay ? createDownloadDisplay(context.model, options.output ?? process.stderr, { resumed }) : undefined;

  let last: DownloadProgress = { downloadedBytes: 0, totalBytes: 0 };
  const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_MS;
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      const at = last.totalBytes > 0 ? ` (at ${formatBytes(last.downloadedBytes)} of ${formatBytes(last.totalBytes)})` : "";
      const hint = copyHint(context);
      stop(
        new MoAModelFileError(
          { model: context.model, reason: "stalled", url: context.url, ...(hint.path ? { path: hint.path } : {}) },
          `Downloading model "${context.model}" stalled: nothing received from ${new URL(context.url).origin} for ${stallMs} ms${at}. The partial file is kept ` +
            `in ${context.directory} and the next try resumes it. Check the network connection${endpointNote(context)}, or ${hint.text}.`,
        ),
      );
    }, stallMs);
  };

  const emit = (progress: DownloadProgress) => {
    last = progress;
    display?.update(progress);
    try {
      options.onProgress?.(progress);
    } catch (error) {
      stop(error);
    }
  };
  let settled = false;
  const onProgress = ({ totalSize, downloadedSize }: { totalSize: number; downloadedSize: number }) => {
    // ipull may report once more after a stop: neither the caller nor the stall timer hear of it.
    if (settled || controller.signal.aborted) return;
    armStall();
    // ipull counts a chunk's bytes again when it refetches the chunk after a dropped connection.
    const downloadedBytes = Math.max(last.downloadedBytes, totalSize > 0 ? Math.min(downloadedSize, totalSize) : downloadedSize);
    if (downloadedBytes !== last.downloadedBytes || totalSize !== last.totalBytes) emit({ downloadedBytes, totalBytes: totalSize });
  };

  let abortedWait: (reason: unknown) => void = () => undefined;
  const aborted = new Promise<never>((_, reject) => (abortedWait = reject));
  aborted.catch(() => undefined);
  const onAbort = () => abortedWait(controller.signal.reason);
  controller.signal.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) stop(options.signal.reason);

  armStall();
  const task = resolveModelFile(context.model, {
    directory: context.directory,
    cli: false,
    // Keep the partial `.ipull` file on an abort: the next call resumes it.
    deleteTempFileOnCancel: false,
    signal: controller.signal,
    onProgress,
    endpoints: { huggingFace: context.endpoint },
  });
  task.catch(() => undefined);
  try {
    const path = await Promise.race([task, aborted]);
    if (controller.signal.aborted) throw controller.signal.reason;
    // After an abort node-llama-cpp resolves with the path of a file it did not finish.
    if (!(await isFile(path))) throw toModelFileError(new Error(`node-llama-cpp reported ${path}, which is not there`), context);
    let size = (await stat(path)).size;
    if (last.totalBytes > 0 && size > last.totalBytes) {
      // ipull 3.9 races its last progress save against its final truncate: now and then (1 download in a
      // few hundred here) the file ends with its JSON chunk record (`{"part":0,"chunks":[2,2,2],...}`) appended.
      await truncate(path, last.totalBytes);
      size = last.totalBytes;
    }
    if (last.downloadedBytes !== size || last.totalBytes !== size) {
      if (last.totalBytes > 0 || last.downloadedBytes > 0) emit({ downloadedBytes: size, totalBytes: size });
      // An `onProgress` that throws on the last call still fails the call.
      if (controller.signal.aborted) throw controller.signal.reason;
    }
    if (dirname(path) === context.directory) await recordModelFile(context.directory, context.model, path);
    display?.finish(path);
    return path;
  } catch (error) {
    display?.stop();
    if (controller.signal.aborted) {
      // Let node-llama-cpp close the partial file (its chunk record) before the caller may try again.
      await settleWithin(task, ABORT_GRACE_MS);
      throw controller.signal.reason;
    }
    throw toModelFileError(error, context);
  } finally {
    settled = true;
    clearTimeout(stallTimer);
    options.signal?.removeEventListener("abort", onCallerAbort);
    controller.signal.removeEventListener("abort", onAbort);
  }
}

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
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_MS;

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
