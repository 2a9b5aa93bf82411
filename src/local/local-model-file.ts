/** A model given as a local path: whether the file is there, or the `missing_file` error that names it. */
import { stat } from "node:fs/promises";
import { MoAModelFileError } from "../errors.js";

/** Whether `path` is a file (`false` when it is missing or cannot be read). */
export async function isFile(path: string): Promise<boolean> {
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

/**
 * A local path given as `model`: `path` when it is a file.
 * @throws {MoAModelFileError} `missing_file`, naming the path, when it does not exist or is not a file.
 */
export async function localFile(model: string, path: string): Promise<string> {
  try {
    if ((await stat(path)).isFile()) return path;
  } catch {
    throw missingFile(model, path, "does not exist");
  }
  throw missingFile(model, path, "is not a file");
}
