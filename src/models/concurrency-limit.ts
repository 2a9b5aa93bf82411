/** Gives out at most `limit` permits at a time; waiters are served in order. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    /** A name for the limit, such as `provider:openai`. */
    readonly key: string,
    private max: number,
  ) {}

  /** Calls in progress under this limit right now. */
  get inUse(): number {
    return this.active;
  }

  /** Permits at once. */
  get limit(): number {
    return this.max;
  }

  /** Changes the number of permits; waiters are let in at once if it grew. */
  set limit(value: number) {
    this.max = value;
    while (this.active < this.max && this.waiting.length > 0) {
      this.active += 1;
      this.waiting.shift()?.();
    }
  }

  /** Waits for a permit (or rejects with the signal's reason) and returns the function that gives it back. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.active < this.max) {
      this.active += 1;
    } else {
      // A releasing call hands its permit straight to the first waiter, so none can slip in between.
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const at = this.waiting.indexOf(grant);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(signal?.reason);
        };
        const grant = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        this.waiting.push(grant);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.active <= this.max ? this.waiting.shift() : undefined;
      if (next) next();
      else this.active -= 1;
    };
  }
}

const sharedLimits = new Map<string, ConcurrencyLimit>();

/**
 * The process-wide limit named `key`, shared by every MoA and every turn in this process. Asking for an
 * existing key with another number changes its limit (the last configuration wins).
 */
export function sharedConcurrencyLimit(key: string, limit: number): ConcurrencyLimit {
  const existing = sharedLimits.get(key);
  if (existing) {
    existing.limit = limit;
    return existing;
  }
  const created = new ConcurrencyLimit(key, limit);
  sharedLimits.set(key, created);
  return created;
}

/** Takes a permit of every limit (in a fixed order, so two calls cannot deadlock) and returns one release. */
export async function acquireAll(limits: readonly ConcurrencyLimit[], signal?: AbortSignal): Promise<() => void> {
  const releases: Array<() => void> = [];
  try {
    for (const limit of [...limits].sort((a, b) => a.key.localeCompare(b.key))) releases.push(await limit.acquire(signal));
  } catch (error) {
    for (const release of releases) release();
    throw error;
  }
  return () => releases.forEach((release) => release());
}
