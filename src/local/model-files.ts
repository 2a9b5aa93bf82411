/**
 * The model files of the embedded llama.cpp engine: a local `.gguf` path is checked; an `http(s)://` URL
 * or an `hf:` URI is downloaded once into a models directory (by node-llama-cpp's `resolveModelFile`),
 * then found there with no request at all, offline included.
 *
 * What node-llama-cpp (3.21.1, with ipull 3.9) does, and what is added here:
 * - It saves a download as `<file>.ipull` (the file's bytes, then a JSON trailer recording which 5 MiB
 *   chunks are complete) and renames it when done. It deletes that file on an abort unless told not to
 *   (`deleteTempFileOnCancel: false`, which {@link download} sets), and a later call then fetches only the
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
 * - node-llama-cpp names a URL's file after its last segment only, so two URLs ending in `model.gguf` would
 *   share one file: a URL is saved as `<name>-<hash of the URL>.gguf`, and indexed by its redacted form
 *   and that hash; messages show URLs without userinfo or query values.
 * - A file under the final name whose size is not the one the index recorded (or the server gave) is not
 *   taken for the model: it is removed and downloaded again.
 * - The models directory is created and checked (a writable directory, room for the file) before and as
 *   a download starts: ipull would fail with a stall, an `ENOTDIR` or unhandled `ENOSPC` rejections.
 * - `HF_ENDPOINT` (or llama.cpp's `MODEL_ENDPOINT`, which wins) points `hf:` URIs at a mirror; the
 *   endpoint is resolved here and passed on, so error messages name the URL that was actually tried.
 */
import { stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { DownloadContext } from "./download-errors.js";
import { hubEndpoint } from "./hub-endpoint.js";
import { isFile, localFile } from "./local-model-file.js";
import { download, type DownloadOptions, type ResolveModelFile } from "./model-download.js";
import { indexedModelPath, recordedFileSize, recordModelFile } from "./model-index.js";
import { resolveModelsDirectory } from "./models-directory.js";
import { ensureWritableDirectory } from "./models-directory-check.js";
import { expectedFileName, firstUrl, parseModelSource, urlFileName, type RemoteModelSource } from "./model-source.js";
import { modelIndexKey } from "./model-url.js";
import { loadNodeLlamaCpp } from "./node-llama-cpp-module.js";
import { checkReachable } from "./server-reachability.js";

export type { DownloadProgress, ProgressOutput } from "./download-progress.js";
export { hubEndpoint } from "./hub-endpoint.js";
export { MODEL_INDEX_FILE } from "./model-index.js";
export { defaultModelsDirectory, resolveModelsDirectory } from "./models-directory.js";
export { remoteModelSize, type RemoteModelSizeOptions } from "./remote-model-size.js";

/** Options of {@link resolveModelPath}. */
export interface ResolveModelPathOptions extends DownloadOptions {
  /**
   * Where downloaded models are kept (created when missing). Default `MOA_MODELS_DIR`, else
   * {@link defaultModelsDirectory}. Not used for a local path.
   */
  directory?: string;
  /** How long (ms) to wait for a TCP connection to the server before calling it unreachable. Default 10,000 ms. */
  connectTimeoutMs?: number;
}

/** Options of {@link cachedModelPath}. */
export interface CachedModelPathOptions {
  /** The models directory; default `MOA_MODELS_DIR`, else {@link defaultModelsDirectory}. */
  directory?: string;
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
  const indexed = await indexedModelPath(directory, modelIndexKey(model.trim()));
  if (indexed) return indexed;
  let llamaCpp;
  try {
    llamaCpp = await loadNodeLlamaCpp();
  } catch {
    return undefined;
  }
  const found = await findWithoutRequest(llamaCpp.resolveModelFile, model.trim(), source, directory, hubEndpoint());
  return found !== undefined && (await isComplete(directory, found)) ? found : undefined;
}

/**
 * Whether the file at `path` is whole as far as the index knows: when the index recorded a file of that
 * name in `directory`, the sizes must agree (a file cut short under the final name is not the model).
 */
async function isComplete(directory: string, path: string): Promise<boolean> {
  if (dirname(path) !== directory) return true;
  const recorded = await recordedFileSize(directory, basename(path));
  if (recorded === undefined) return true;
  return (await stat(path).catch(() => undefined))?.size === recorded;
}

/** node-llama-cpp's lookup with downloads off (it makes no request then), then the name a URL is saved under. */
async function findWithoutRequest(
  resolveModelFile: ResolveModelFile,
  model: string,
  source: RemoteModelSource,
  directory: string,
  endpoint: string,
): Promise<string | undefined> {
  const fileName = source.kind === "url" ? urlFileName(source.url) : undefined;
  const found = await resolveModelFile(model, { directory, download: false, cli: false, endpoints: { huggingFace: endpoint }, ...(fileName ? { fileName } : {}) }).catch(
    () => undefined,
  );
  if (found !== undefined && (await isFile(found))) return found;
  // A URL's file is looked for by the name it is saved under (node-llama-cpp does not, without a request).
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
  const indexKey = modelIndexKey(key);
  const directory = resolveModelsDirectory(options.directory);
  const indexed = await indexedModelPath(directory, indexKey);
  if (indexed) return indexed;

  const endpoint = hubEndpoint();
  const llamaCpp = await loadNodeLlamaCpp();
  options.signal?.throwIfAborted();
  const found = await findWithoutRequest(llamaCpp.resolveModelFile, key, source, directory, endpoint);
  if (found !== undefined) {
    if (await isComplete(directory, found)) {
      if (dirname(found) === directory) await recordModelFile(directory, indexKey, found);
      return found;
    }
    // Not the size recorded: a partial copy under the final name. node-llama-cpp would return it as it is.
    await unlink(found).catch(() => undefined);
  }
  const context: DownloadContext = { model: key, source, directory, endpoint, url: firstUrl(source, endpoint) };
  await ensureWritableDirectory(context);
  await checkReachable(context, options.connectTimeoutMs, options.signal);
  return download(llamaCpp.resolveModelFile, context, options);
}
