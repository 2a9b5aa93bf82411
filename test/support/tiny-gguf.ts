/**
 * A tiny random-weight chat model for the tests of the local engine, written once per test file into a
 * temp dir (a few hundred KB, well under a second), and removed with it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { unloadLocalModels } from "../../src/index.js";
import { writeTinyModel, type TinyModel, type TinyModelOptions } from "../../tools/gguf/tiny-model.js";

/** A written tiny model and the temp dir that holds it. */
export interface TinyGguf extends TinyModel {
  readonly dir: string;
  remove(): Promise<void>;
}

/** Writes a tiny model (`options` as `writeTinyModel` takes them) as `<temp dir>/<name>`. */
export async function makeTinyGguf(name = "tiny.gguf", options: TinyModelOptions = {}): Promise<TinyGguf> {
  const dir = await mkdtemp(join(tmpdir(), "moa-local-"));
  const written = await writeTinyModel(join(dir, name), options);
  return { ...written, dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Writes a tiny model before the file's tests and, after them, frees every local model of the process
 * and removes it. Returns a getter: the model exists once the tests run.
 */
export function useTinyGguf(name?: string, options?: TinyModelOptions): () => TinyGguf {
  let tiny: TinyGguf | undefined;
  beforeAll(async () => {
    tiny = await makeTinyGguf(name, options);
  });
  afterAll(async () => {
    await unloadLocalModels();
    await tiny?.remove();
  });
  return () => {
    if (tiny === undefined) throw new Error("the tiny model is written before the tests run");
    return tiny;
  };
}
