import { CallbackManager, type CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";

/** The inheritable parts of a run manager, which `BaseRunManager` keeps protected. */
interface InheritableRunState {
  readonly runId: string;
  readonly inheritableHandlers: BaseCallbackHandler[];
  readonly inheritableTags: string[];
  readonly inheritableMetadata: Record<string, unknown>;
}

/**
 * A callback manager for the runs nested under a chat-model run, built as `CallbackManagerForChainRun.getChild`
 * does. LLM run managers have no `getChild` because a chat model normally starts no runs of its own;
 * the MoA does, and its proposer and aggregator calls belong under it in a trace.
 */
export function childCallbacks(runManager: CallbackManagerForLLMRun | undefined): CallbackManager {
  if (runManager === undefined) return new CallbackManager();
  const run = runManager as unknown as InheritableRunState;
  const manager = new CallbackManager(run.runId);
  manager.setHandlers(run.inheritableHandlers);
  manager.addTags(run.inheritableTags);
  manager.addMetadata(run.inheritableMetadata);
  return manager;
}
