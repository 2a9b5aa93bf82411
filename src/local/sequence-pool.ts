import type { LlamaContext, LlamaContextSequence } from "node-llama-cpp";

/** A context sequence lent to one call; `release` gives it back to the pool (once). */
export interface SequenceLease {
  readonly sequence: LlamaContextSequence;
  readonly release: () => void;
}

/**
 * The sequences of one llama.cpp context, lent to one call at a time. Calls running on sequences of the
 * same context are decoded together by node-llama-cpp. A sequence keeps its evaluated tokens when it is given
 * back, so the next call whose prompt starts the same way (the same conversation) evaluates only the rest.
 * When every sequence is lent, callers wait in order of arrival.
 */
export class SequencePool {
  private readonly free: LlamaContextSequence[] = [];
  private readonly waiting: Array<(sequence: LlamaContextSequence) => void> = [];

  constructor(readonly context: LlamaContext) {}

  /** Sequences lent now (for tests and diagnostics). */
  get inUse(): number {
    return this.context.totalSequences - this.context.sequencesLeft - this.free.length;
  }

  /** A sequence for one call; rejects with `signal.reason` when `signal` aborts while waiting. */
  acquire(signal?: AbortSignal): Promise<SequenceLease> {
    signal?.throwIfAborted();
    const ready = this.free.pop() ?? (this.context.sequencesLeft > 0 ? this.context.getSequence() : undefined);
    if (ready !== undefined) return Promise.resolve(this.lease(ready));
    return new Promise((resolve, reject) => {
      const take = (sequence: LlamaContextSequence) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(this.lease(sequence));
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(take);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(take);
    });
  }

  private lease(sequence: LlamaContextSequence): SequenceLease {
    let released = false;
    return {
      sequence,
      release: () => {
        if (released) return;
        released = true;
        const next = this.waiting.shift();
        if (next) next(sequence);
        else this.free.push(sequence);
      },
    };
  }
}
