import { AsyncLocalStorage } from "node:async_hooks";

const currentSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` with `signal` as the abort signal of the HTTP requests it makes through {@link signalAwareFetch}. */
export function withCallSignal<T>(signal: AbortSignal, fn: () => T): T {
  return currentSignal.run(signal, fn);
}

/**
 * `fetch` that also honours the signal of the model call it runs in. Given to clients that do not pass a
 * call's abort signal to their requests (ChatOllama), so that a timeout or an abort closes the connection.
 */
export const signalAwareFetch: typeof fetch = (input, init) => {
  const callSignal = currentSignal.getStore();
  if (callSignal === undefined) return fetch(input, init);
  const signal = init?.signal ? AbortSignal.any([init.signal, callSignal]) : callSignal;
  return fetch(input, { ...init, signal });
};

/**
 * Aborts `target` (with the same reason) when `source` aborts, through one listener on `source` that the
 * returned function removes. Linked by hand rather than with `AbortSignal.any`, so that a long-lived
 * `source` keeps nothing of a link that has ended.
 */
export function followAbort(source: AbortSignal | undefined, target: AbortController): () => void {
  if (source === undefined) return () => undefined;
  if (source.aborted) {
    target.abort(source.reason);
    return () => undefined;
  }
  const onAbort = () => target.abort(source.reason);
  source.addEventListener("abort", onAbort, { once: true });
  return () => source.removeEventListener("abort", onAbort);
}
