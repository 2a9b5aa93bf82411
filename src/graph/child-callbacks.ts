import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { CallbackManager, type CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";

/** The inheritable parts of a run manager, which `BaseRunManager` keeps protected. */
interface InheritableRunState {
  readonly runId: string;
  readonly handlers: BaseCallbackHandler[];
  readonly inheritableTags: string[];
  readonly inheritableMetadata: Record<string, unknown>;
}

/**
 * LangGraph's stream-mode handlers of a graph that runs the MoA as its model: they see the MoA's own run
 * (its answer), never its inner graph, whose node outputs they would stream as messages of the caller's graph.
 */
const GRAPH_STREAM_HANDLERS = new Set(["StreamMessagesHandler", "StreamProtocolMessagesHandler", "StreamToolsHandler"]);

/** What a handler sees of the MoA's inner model calls: everything but their tokens. */
const SILENCED: ReadonlyMap<PropertyKey, unknown> = new Map<PropertyKey, unknown>([
  ["handleLLMNewToken", undefined],
  ["handleChatModelStreamEvent", undefined],
  // A handler that prefers streaming would make every proposer stream for nothing.
  ["lc_prefer_streaming", false],
  ["lc_prefer_chat_model_stream_events", false],
]);

/**
 * A callback manager for the runs nested under a chat-model run, built as `CallbackManagerForChainRun.getChild`
 * does (LLM run managers have none: a chat model normally starts no runs of its own; the MoA does, and
 * its proposer and aggregator calls belong under it in a trace). The caller's handlers, given at call
 * time or to the constructor, see those calls as child runs (start, end, error, custom events) but not
 * their tokens: the MoA run reports the answer's tokens itself, once, as its own.
 */
export function childCallbacks(runManager: CallbackManagerForLLMRun | undefined): CallbackManager {
  if (runManager === undefined) return new CallbackManager();
  const run = runManager as unknown as InheritableRunState;
  const manager = new CallbackManager(run.runId);
  manager.setHandlers(run.handlers.filter((handler) => !GRAPH_STREAM_HANDLERS.has(handler.name)).map(withoutTokens));
  manager.addTags(run.inheritableTags);
  manager.addMetadata(run.inheritableMetadata);
  return manager;
}

/**
 * `handler` without its token callbacks. A proxy rather than a wrapper class, so that the handler keeps
 * its name, class and state for those that look them up (LangSmith's tracer, LangGraph's stream handlers);
 * methods run on the handler itself, so its private fields keep working.
 */
function withoutTokens(handler: BaseCallbackHandler): BaseCallbackHandler {
  return new Proxy(handler, {
    get(target, property) {
      if (SILENCED.has(property)) return SILENCED.get(property);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
