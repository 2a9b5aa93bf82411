/**
 * The evaluation's memory on disk: every answer and judgement, one JSON line each, appended as soon as it
 * exists. A stopped run loses at most the calls that were in flight; the next run reads the file and asks
 * only what is missing.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { isProcessRunning } from "../src/models/process-alive.js";
import { UsageError } from "../tools/usage-error.js";

/** A cached result under its key. */
export interface CachedEntry<T> {
  readonly key: string;
  readonly value: T;
}

/** An append-only JSONL store of results by key; a later line with the same key wins. */
export class RunCache {
  private readonly entries = new Map<string, unknown>();
  /** A torn last line is ended before the next entry, so the entry starts a line of its own. */
  private tornTail = false;

  private constructor(readonly path: string) {}

  /**
   * Opens (or starts) the cache file at `path`; a torn last line (a run killed mid-write) is ignored.
   * Another live process using the same file is refused with an {@link UsageError} (two runs on one
   * cache would ask everything twice); call {@link release} when done.
   */
  static open(path: string): RunCache {
    const cache = new RunCache(path);
    lock(`${path}.lock`);
    if (!existsSync(path)) return cache;
    const text = readFileSync(path, "utf8");
    cache.tornTail = text !== "" && !text.endsWith("\n");
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const entry = JSON.parse(line) as CachedEntry<unknown>;
        cache.entries.set(entry.key, entry.value);
      } catch {
        // Only the last line can be torn; anything before it was written whole.
      }
    }
    return cache;
  }

  /** Lets another process use the cache file. */
  release(): void {
    rmSync(`${this.path}.lock`, { force: true });
  }

  /** Entries held. */
  get size(): number {
    return this.entries.size;
  }

  /** The value stored under `key`. */
  get<T>(key: string): T | undefined {
    return this.entries.get(key) as T | undefined;
  }

  /** Stores `value` under `key`, written to the file (kept if the process dies) before this returns. */
  put<T>(key: string, value: T): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const lead = this.tornTail ? "\n" : "";
    this.tornTail = false;
    appendFileSync(this.path, `${lead}${JSON.stringify({ key, value } satisfies CachedEntry<T>)}\n`);
    this.entries.set(key, value);
  }
}

/** Takes the lock file for this process, unless a live process other than this one holds it. */
function lock(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  if (existsSync(path)) {
    const holder = Number(readFileSync(path, "utf8"));
    if (Number.isInteger(holder) && holder !== process.pid && isProcessRunning(holder)) {
      throw new UsageError(`Another evaluation (process ${holder}) is using ${dirname(path)}; wait for it to finish, or give another --out`);
    }
  }
  writeFileSync(path, String(process.pid));
}
