import { Runnable, type RunnableConfig } from "@langchain/core/runnables";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";

/** How a {@link NodeRunnable} runs its function. */
export interface NodeRunnableSettings {
  /**
   * Run the function under the task's LangChain async context, as LangGraph runs a function node, so that
   * code in it that reads the ambient config (`getConfig()`, a runnable invoked without a config) sees the
   * task's. Needed only where the node runs a caller's code: a custom `similarity` or `formatReferences`.
   */
  readonly inTaskContext?: boolean;
}

/**
 * A node of the MoA graph, given to LangGraph as a `Runnable` of its own that calls `func` with the task's
 * input and config as LangGraph hands them over.
 *
 * Why not a plain function node: LangGraph wraps one in a `RunnableCallable`, which on every task merges
 * the config once more with the ambient one and runs the function under a new LangChain async context
 * (a LangSmith `RunTree` each time, tracing on or off): about 0.4 ms of CPU per 3-proposer turn, a tenth of
 * a turn with models that answer at once (bench/PROFILE.md). The MoA's nodes take their config from their
 * argument and call their models outside the turn's context (`outsideTurnContext`), so they need neither;
 * with {@link NodeRunnableSettings.inTaskContext}, the function runs under the task's context all the same.
 */
export class NodeRunnable<Input, Output> extends Runnable<Input, Output> {
  lc_namespace = ["langgraph_moa", "nodes"];

  constructor(
    name: string,
    private readonly func: (input: Input, config: LangGraphRunnableConfig) => Promise<Output>,
    private readonly settings: NodeRunnableSettings = {},
  ) {
    super();
    this.name = name;
  }

  override invoke(input: Input, options?: Partial<RunnableConfig>): Promise<Output> {
    const config = (options ?? {}) as LangGraphRunnableConfig;
    if (this.settings.inTaskContext !== true) return this.func(input, config);
    return AsyncLocalStorageProviderSingleton.runWithConfig(config, () => this.func(input, config));
  }
}
