import type { Callbacks } from "@langchain/core/callbacks/manager";

/**
 * Whether `callbacks` (a run config's: a handler list or a `CallbackManager`) holds any handler, so that
 * an event dispatched through it can reach someone.
 */
export function hasCallbackHandlers(callbacks: Callbacks | undefined): boolean {
  if (callbacks === undefined) return false;
  return Array.isArray(callbacks) ? callbacks.length > 0 : callbacks.handlers.length > 0;
}
