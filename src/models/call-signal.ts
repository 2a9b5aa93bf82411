import { AsyncLocalStorage } from "node:async_hooks";

/** The model call a request runs in: its abort signal, and who wants the headers of a response that failed. */
interface CallContext {
  readonly signal: AbortSignal;
  readonly onErrorResponse?: (headers: Headers) => void;
}

const currentCall = new AsyncLocalStorage<CallContext>();

/**
 * Runs `fn` with `signal` as the abort signal of the HTTP requests it makes through {@link signalAwareFetch},
 * and hands `onErrorResponse` the headers of each of those requests' responses that is not a success (the
 * `ollama` client's errors keep the status alone, not the server's `Retry-After`).
 */
export function withCallSignal<T>(signal: AbortSignal, fn: () => T, onErrorResponse?: (headers: Headers) => void): T {
  return currentCall.run({ signal, ...(onErrorResponse ? { onErrorResponse } : {}) }, fn);
}

/**
 * `fetch` that also honours the signal of the model call it runs in. Given to clients that do not pass a
 * call's abort signal to their requests (ChatOllama), so that a timeout or an abort closes the connection.
 */
export const signalAwareFetch: typeof fetch = async (input, init) => {
  const call = currentCall.getStore();
  if (call === undefined) return fetch(input, init);
  const signal = init?.signal ? AbortSignal.any([init.signal, call.signal]) : call.signal;
  const response = await fetch(input, { ...init, signal });
  if (!response.ok) call.onErrorResponse?.(response.headers);
  return response;
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
