/**
 * Work that several callers wait for at once (a model's download, its load), started by the first and
 * shared by the rest: it is aborted only when every caller waiting for it has aborted, and a caller
 * that aborts stops waiting at once. A task that failed or was aborted is started anew by the next caller.
 */
export class SharedTasks<T> {
  private readonly running = new Map<string, { promise: Promise<T>; waiters: number; controller: AbortController }>();
  private readonly done = new Map<string, T>();

  /** How many tasks finished with a result (and were not cleared). */
  get size(): number {
    return this.done.size;
  }

  /**
   * The result of `key`: its finished value, or the running task's, or a new task `run(signal)`.
   * Rejects with `signal.reason` when the caller's `signal` aborts first.
   */
  async get(key: string, run: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.done.has(key)) return this.done.get(key) as T;
    signal?.throwIfAborted();
    let task = this.running.get(key);
    if (task === undefined) {
      const controller = new AbortController();
      const started = { promise: Promise.resolve().then(() => run(controller.signal)), waiters: 0, controller };
      task = started;
      this.running.set(key, started);
      started.promise.then(
        (value) => {
          if (this.running.get(key) === started) this.running.delete(key);
          this.done.set(key, value);
        },
        () => {
          if (this.running.get(key) === started) this.running.delete(key);
        },
      );
    }
    const joined = task;
    joined.waiters += 1;
    let leave: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      if (signal === undefined) return;
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      leave = () => signal.removeEventListener("abort", onAbort);
    });
    try {
      return await Promise.race([joined.promise, aborted]);
    } finally {
      leave();
      joined.waiters -= 1;
      if (joined.waiters === 0 && signal?.aborted && this.running.get(key) === joined) {
        this.running.delete(key);
        joined.controller.abort(signal.reason);
      }
    }
  }

  /** Forgets every finished result and returns them (for disposal). */
  clear(): T[] {
    const values = [...this.done.values()];
    this.done.clear();
    return values;
  }
}
