/**
 * The download of a model file by node-llama-cpp's `resolveModelFile`, with what it lacks: progress in
 * bytes that never goes back, an abort that rejects (with the partial file kept for a resume), a stall
 * timeout, errors that say what to do, and a cut for ipull's stray chunk record at the end of the file.
 */
import { stat, truncate, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { MoAModelFileError } from "../errors.js";
import { copyHint, endpointNote, shownModel, toModelFileError, type DownloadContext } from "./download-errors.js";
import { createDownloadDisplay, formatBytes, type DownloadProgress, type ProgressOutput } from "./download-progress.js";
import { isFile } from "./local-model-file.js";
import { recordModelFile } from "./model-index.js";
import { expectedFileName, urlFileName } from "./model-source.js";
import { modelIndexKey, redactUrl } from "./model-url.js";
import { checkFreeSpace, directoryWriteError } from "./models-directory-check.js";
import type { NodeLlamaCpp } from "./node-llama-cpp-module.js";

/** node-llama-cpp's `resolveModelFile`. */
export type ResolveModelFile = NodeLlamaCpp["resolveModelFile"];

/** Options of a download: progress, abort and stall timeout. */
export interface DownloadOptions {
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
}

const DEFAULT_STALL_MS = 60_000;
/** How long an aborted call waits for node-llama-cpp to close its files before it rejects. */
const ABORT_GRACE_MS = 2_000;

/** Waits for `promise` to settle, at most `ms`. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.then(() => undefined, () => undefined), new Promise<void>((done) => (timer = setTimeout(done, ms)))]);
  clearTimeout(timer);
}

/**
 * Downloads (or resumes) the file with node-llama-cpp, with our progress, abort, stall and error handling,
 * and records it in the models directory's index.
 * @returns The absolute path of the file.
 * @throws {MoAModelFileError} `stalled`, or what {@link toModelFileError} makes of node-llama-cpp's failure.
 * @throws `signal.reason` when `signal` aborts, or the error `onProgress` threw.
 */
export async function download(resolveModelFile: ResolveModelFile, context: DownloadContext, options: DownloadOptions): Promise<string> {
  const controller = new AbortController();
  const stop = (reason: unknown) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onCallerAbort = () => stop(options.signal?.reason);
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });

  const displayMode = options.progressDisplay ?? "auto";
  const showDisplay = displayMode === "always" || (displayMode === "auto" && options.onProgress === undefined);
  const name = expectedFileName(context.source);
  const partialPath = name !== undefined ? join(context.directory, `${name}.ipull`) : undefined;
  const resumed = partialPath !== undefined && (await isFile(partialPath));
  const display = showDisplay ? createDownloadDisplay(shownModel(context), options.output ?? process.stderr, { resumed }) : undefined;

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
          { model: shownModel(context), reason: "stalled", url: redactUrl(context.url), ...(hint.path ? { path: hint.path } : {}) },
          `Downloading model "${shownModel(context)}" stalled: nothing received from ${new URL(redactUrl(context.url)).origin} for ${stallMs} ms${at}. The partial file is kept ` +
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
  let spaceChecked = false;
  const checkSpace = (totalBytes: number) => {
    spaceChecked = true;
    // The first time ipull knows the size: stop (the partial file kept) when it cannot fit.
    checkFreeSpace(context, totalBytes, partialPath).catch(stop);
  };
  const onProgress = ({ totalSize, downloadedSize }: { totalSize: number; downloadedSize: number }) => {
    // ipull may report once more after a stop: neither the caller nor the stall timer hear of it.
    if (settled || controller.signal.aborted) return;
    armStall();
    if (!spaceChecked && totalSize > 0) checkSpace(totalSize);
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
    // A URL is saved under a name with a hash of the whole URL: two URLs ending in the same name are two files.
    ...(context.source.kind === "url" && urlFileName(context.source.url) !== undefined ? { fileName: urlFileName(context.source.url) } : {}),
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
    if (last.totalBytes > 0 && size < last.totalBytes) {
      // A short file under the final name would be taken for the model from now on: remove it.
      await unlink(path).catch(() => undefined);
      throw toModelFileError(new Error(`the file saved is ${size} bytes, not the ${last.totalBytes} the server gave; it was removed, and the next try downloads it again`), context);
    }
    if (last.downloadedBytes !== size || last.totalBytes !== size) {
      if (last.totalBytes > 0 || last.downloadedBytes > 0) emit({ downloadedBytes: size, totalBytes: size });
      // An `onProgress` that throws on the last call still fails the call.
      if (controller.signal.aborted) throw controller.signal.reason;
    }
    if (dirname(path) === context.directory) await recordModelFile(context.directory, modelIndexKey(context.model), path);
    display?.finish(path);
    return path;
  } catch (error) {
    display?.stop();
    if (controller.signal.aborted) {
      // Let node-llama-cpp close the partial file (its chunk record) before the caller may try again.
      await settleWithin(task, ABORT_GRACE_MS);
      throw controller.signal.reason;
    }
    throw directoryWriteError(error, context) ?? toModelFileError(error, context);
  } finally {
    settled = true;
    clearTimeout(stallTimer);
    options.signal?.removeEventListener("abort", onCallerAbort);
    controller.signal.removeEventListener("abort", onAbort);
  }
}
