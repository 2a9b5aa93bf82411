import type { Callbacks } from "@langchain/core/callbacks/manager";

/**
 * Whether `callbacks` (a run config's: a handler list or a `CallbackManager`) holds any handler, so that
 * an event dispatched through it can reach someone.
 */
export function hasCallbackHandlers(callbacks: Callbacks | undefined): boolean {
  if (callbacks === undefined) return false;
  return Array.isArray(callbacks) ? callbacks.length > 0 : callbacks.handlers.length > 0;
}

/** A handler of this library that says whether the tokens it receives reach anyone (see {@link tokensCanReachSomeone}). */
export interface TokenShowingHandler {
  /** False when the handler passes no token on: tokens it alone receives are seen by no one. */
  readonly showsTokens: boolean;
}

/**
 * Whether a model's tokens dispatched through `callbacks` can reach someone: any handler but one of this
 * library's that passes none on (the chat model's turn handler when its caller does not stream).
 */
export function tokensCanReachSomeone(callbacks: Callbacks | undefined): boolean {
  if (callbacks === undefined) return false;
  const handlers = Array.isArray(callbacks) ? callbacks : callbacks.handlers;
  return handlers.some((handler) => (handler as Partial<TokenShowingHandler>).showsTokens !== false);
}
