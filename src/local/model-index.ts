/**
 * The models directory's own record of what it holds: a small JSON file mapping each model as given
 * (`hf:` URI or URL) to the file it was saved as. node-llama-cpp finds an `hf:<user>/<repo>:<quant>` file
 * by its name without a request, but a URL (and an `hf:` tag that is not a quantization name) costs a
 * request every time, and hangs while the network is down; with this record, a model that is here needs
 * no request and works offline.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";

/** The index's file name, in the models directory. */
export const MODEL_INDEX_FILE = "langgraph-moa-models.json";

/** What the index says of one model. */
export interface ModelIndexEntry {
  /** The file's name in the models directory. */
  readonly file: string;
  /** Its size in bytes when it was saved: a file of another size is not taken for it. */
  readonly size: number;
  /** When it was recorded (ISO 8601). */
  readonly savedAt: string;
}

interface ModelIndex {
  readonly version: 1;
  readonly models: Record<string, ModelIndexEntry>;
}

async function readIndex(directory: string): Promise<ModelIndex> {
  try {
    const parsed = JSON.parse(await readFile(join(directory, MODEL_INDEX_FILE), "utf8")) as Partial<ModelIndex> | null;
    if (parsed && typeof parsed.models === "object" && parsed.models !== null) return { version: 1, models: parsed.models };
  } catch {
    // Missing or unreadable: an empty index (node-llama-cpp's own lookup still runs).
  }
  return { version: 1, models: {} };
}

/** What the index says of `model` (its key), when it names a file in the directory; `undefined` otherwise. */
export async function indexEntry(directory: string, model: string): Promise<ModelIndexEntry | undefined> {
  const entry = (await readIndex(directory)).models[model];
  if (!entry || typeof entry.file !== "string" || basename(entry.file) !== entry.file || typeof entry.size !== "number") return undefined;
  return entry;
}

/**
 * The size the index recorded for the file named `file` (under any key), or `undefined`: a file of
 * another size under that name is a partial or damaged copy, not the model.
 */
export async function recordedFileSize(directory: string, file: string): Promise<number | undefined> {
  const entries = Object.values((await readIndex(directory)).models);
  return entries.find((entry) => entry?.file === file && typeof entry.size === "number")?.size;
}

/**
 * The path of `model`'s file in `directory` when the index names one and it is there, complete (its
 * recorded size); `undefined` otherwise. No request; reads one small file and stats one.
 */
export async function indexedModelPath(directory: string, model: string): Promise<string | undefined> {
  const entry = await indexEntry(directory, model);
  if (!entry) return undefined;
  const path = join(directory, entry.file);
  try {
    const info = await stat(path);
    return info.isFile() && info.size === entry.size ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records that `model` is the file at `path` (in `directory`). Written to a temporary file and renamed
 * over the index, so a reader never sees half of it; a failure to write only costs a request later.
 */
export async function recordModelFile(directory: string, model: string, path: string): Promise<void> {
  const tmp = join(directory, `${MODEL_INDEX_FILE}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const size = (await stat(path)).size;
    const index = await readIndex(directory);
    const models = { ...index.models, [model]: { file: basename(path), size, savedAt: new Date().toISOString() } };
    await mkdir(directory, { recursive: true });
    await writeFile(tmp, `${JSON.stringify({ version: 1, models }, null, 2)}\n`);
    await rename(tmp, join(directory, MODEL_INDEX_FILE));
  } catch {
    await unlink(tmp).catch(() => undefined);
  }
}
