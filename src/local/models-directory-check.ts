/**
 * Checks of the models directory before (and when the size is known, during) a download: that it is a
 * directory that can be written to, and that the file fits in its free space. Without them ipull fails
 * late and obscurely: a full disk with an `ENOSPC` rejection, a read-only directory with a stall, a file in
 * the way with "the request failed (ENOTDIR)".
 */
import fsp from "node:fs/promises";
import { constants } from "node:fs";
import { MoAModelFileError } from "../errors.js";
import { copyHint, shownModel, type DownloadContext } from "./download-errors.js";
import { redactUrl } from "./model-url.js";

const MiB = 1024 * 1024;

function mib(bytes: number): string {
  return `${Math.ceil(bytes / MiB)} MiB`;
}

function directoryError(context: DownloadContext, reason: "not_writable" | "no_space", what: string, cause?: unknown): MoAModelFileError {
  const hint = copyHint(context);
  const fix =
    reason === "no_space"
      ? "free some space there, or set MOA_MODELS_DIR (or the directory option) to a directory with room"
      : "fix its permissions, or set MOA_MODELS_DIR (or the directory option) to a writable directory";
  return new MoAModelFileError(
    { model: shownModel(context), reason, url: redactUrl(context.url), ...(hint.path ? { path: hint.path } : {}) },
    `Cannot download model "${shownModel(context)}": the models directory ${context.directory} ${what}. ` +
      `To fix it, ${fix}; or give the path of a local .gguf file as the model.`,
    cause === undefined ? undefined : { cause },
  );
}

function code(error: unknown): string | undefined {
  const value = (error as { code?: unknown } | null)?.code;
  return typeof value === "string" ? value : undefined;
}

/**
 * Creates the models directory (with its parents) when missing, then checks it is a directory that can be
 * written to.
 * @throws {MoAModelFileError} `not_writable`, naming the directory: "is not a directory" or "is not writable".
 */
export async function ensureWritableDirectory(context: DownloadContext): Promise<void> {
  const { directory } = context;
  try {
    await fsp.mkdir(directory, { recursive: true });
  } catch (error) {
    const c = code(error);
    if (c === "EEXIST" || c === "ENOTDIR") throw directoryError(context, "not_writable", "is not a directory (a file is in the way)", error);
    if (c === "ENOSPC") throw directoryError(context, "no_space", "cannot be created: the disk is full", error);
    throw directoryError(context, "not_writable", `cannot be created (${c ?? String(error)}): it is not writable`, error);
  }
  const info = await fsp.stat(directory).catch(() => undefined);
  if (info !== undefined && !info.isDirectory()) throw directoryError(context, "not_writable", "is not a directory (a file is in the way)");
  try {
    await fsp.access(directory, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw directoryError(context, "not_writable", `is not writable (${code(error) ?? "no access"})`, error);
  }
}

/**
 * Checks that `totalBytes` fit in the free space of the models directory, counting what a partial file
 * (`partialPath`, resumed) already holds on disk.
 * @throws {MoAModelFileError} `no_space`: "needs 676 MiB, 120 MiB free". Nothing is thrown when the free
 *   space cannot be read.
 */
export async function checkFreeSpace(context: DownloadContext, totalBytes: number, partialPath?: string): Promise<void> {
  if (!(totalBytes > 0)) return;
  let free: number;
  try {
    const fs = await fsp.statfs(context.directory);
    free = Number(fs.bavail) * Number(fs.bsize);
  } catch {
    return;
  }
  let held = 0;
  if (partialPath !== undefined) {
    const info = await fsp.stat(partialPath).catch(() => undefined);
    // Blocks on disk, not the length: ipull may extend the file before writing into it.
    held = info ? Math.min(totalBytes, info.blocks * 512) : 0;
  }
  const needed = totalBytes - held;
  if (needed > free) throw directoryError(context, "no_space", `has too little free space: the model needs ${mib(needed)}, ${mib(free)} free`);
}

/** A write failure of ipull as a directory error (`ENOSPC`, `EACCES`, `EROFS`, `ENOTDIR`), else `undefined`. */
export function directoryWriteError(error: unknown, context: DownloadContext): MoAModelFileError | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === "object" && depth < 5; depth += 1) {
    const c = code(current);
    if (c === "ENOSPC" || c === "EDQUOT") return directoryError(context, "no_space", "has too little free space: the disk is full", error);
    if (c === "EACCES" || c === "EPERM" || c === "EROFS") return directoryError(context, "not_writable", `is not writable (${c})`, error);
    if (c === "ENOTDIR") return directoryError(context, "not_writable", "is not a directory (a file is in the way)", error);
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
