import { AsyncLocalStorageProviderSingleton, _CONTEXT_VARIABLES_KEY } from "@langchain/core/singletons";

/**
 * Runs `fn` (a model call) outside the turn's LangChain async context, so that the connections its HTTP
 * client opens and pools do not keep the turn, and with it the graph's checkpointer, in memory.
 *
 * Why: a Node async resource (a TCP socket, a timer) keeps the `AsyncLocalStorage` stores that were
 * active when it was created. On Node 20 and 22 an `async_hooks` init hook copies each store onto the
 * resource; on Node 24 the resource holds the `AsyncContextFrame` of all stores. LangGraph runs a
 * function node under LangChain's global store: a `RunTree` whose `extra` holds the task's config, and in it
 * the checkpointer (`configurable.__pregel_checkpointer`), the step's channels and the stream handlers. The
 * MoA's own nodes set no such store (`NodeRunnable`), but one is there when they run a caller's code or
 * when the MoA runs as a node of a parent graph (the parent's task's store). A
 * keep-alive socket opened during a call would keep that turn for as long as it sits in the pool (and on
 * Node 20 and 22, undici's clock, a timer created by the process's first request, for good).
 *
 * The call is given the node's full config: LangChain's `ensureConfig` and LangGraph's
 * `ensureLangGraphConfig` prefer it to the ambient one, and runnables that run code of their own (lambdas,
 * tools, graphs) set their store from it again. Only code that reads the ambient context instead of its
 * config (`getConfig()`, `dispatchCustomEvent` without a config) in a model's own methods sees none;
 * LangChain gives a model its run through its run manager, and runs callback handlers under an empty
 * store too. LangChain's context variables (`setContextVariable`) are kept: the application set them,
 * and no config carries them.
 */
export function outsideTurnContext<T>(fn: () => T): T {
  const storage = AsyncLocalStorageProviderSingleton.getInstance();
  const variables: unknown = storage.getStore()?.[_CONTEXT_VARIABLES_KEY];
  return storage.run(variables === undefined ? undefined : { [_CONTEXT_VARIABLES_KEY]: variables }, fn);
}
