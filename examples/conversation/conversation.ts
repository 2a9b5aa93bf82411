/**
 * One conversation with the MoA: the compiled graph, its checkpointer (in memory, or a SQLite file or
 * PostgreSQL database that outlives the process) and the current thread.
 */
import { randomUUID } from "node:crypto";
import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver, type BaseCheckpointSaver } from "@langchain/langgraph";
import { MoAConfigError, createMixtureOfAgents, type MixtureOfAgentsGraph } from "../../src/index.js";
import type { Settings } from "./settings.js";
import { UsageError } from "../../tools/usage-error.js";
import { closeDatabase, openDatabase } from "./database.js";

/** The MoA, where it keeps threads, and the thread being talked in. */
export class Conversation {
  private constructor(
    /** The compiled MoA graph. */
    readonly graph: MixtureOfAgentsGraph,
    private readonly checkpointer: BaseCheckpointSaver,
    private thread: string,
    private readonly system: string | undefined,
  ) {}

  /**
   * Builds the MoA of `settings` on its checkpointer. Throws a {@link UsageError} when the options are
   * invalid or the database cannot be opened.
   */
  static async open(settings: Settings): Promise<Conversation> {
    const checkpointer = settings.db === undefined ? new MemorySaver() : await openDatabase(settings.db);
    try {
      const graph = createMixtureOfAgents({ ...settings.moa, checkpointer });
      return new Conversation(graph, checkpointer, settings.resume ?? randomUUID(), settings.system);
    } catch (error) {
      await closeDatabase(checkpointer);
      if (MoAConfigError.isInstance(error)) {
        const ownKeys = error.option === "options" ? "\n(A config file may also hold the conversation's own system, showInternal and db.)" : "";
        throw new UsageError(`Invalid MoA options: ${error.message}${ownKeys}`);
      }
      throw error;
    }
  }

  /** The current thread's id. */
  get threadId(): string {
    return this.thread;
  }

  /** The run config that selects the current thread. */
  get threadConfig(): { configurable: { thread_id: string } } {
    return { configurable: { thread_id: this.thread } };
  }

  /** The messages kept on the current thread (none for a new one). */
  async history(): Promise<BaseMessage[]> {
    const state = await this.graph.getState(this.threadConfig);
    return (state.values as { messages?: BaseMessage[] }).messages ?? [];
  }

  /** The input of a turn that says `text`: the system prompt comes first on a thread that has no messages yet. */
  async inputFor(text: string): Promise<BaseMessage[]> {
    const fresh = this.system !== undefined && (await this.history()).length === 0;
    return [...(fresh ? [new SystemMessage(this.system ?? "")] : []), new HumanMessage(text)];
  }

  /** Starts a new thread; returns its id. */
  reset(): string {
    this.thread = randomUUID();
    return this.thread;
  }

  /** Closes the database, if any. */
  close(): Promise<void> {
    return closeDatabase(this.checkpointer);
  }
}
