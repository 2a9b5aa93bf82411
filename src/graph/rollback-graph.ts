import type { RunnableConfig } from "@langchain/core/runnables";
import type { IterableReadableStream } from "@langchain/core/utils/stream";
import { getConfig, type BaseCheckpointSaver, type StateSnapshot } from "@langchain/langgraph";
import { MoAGraph, isResumeInput, type AnyCompiledGraph, type Encoding, type IteratorArgs, type Modes, type StreamOptions } from "./moa-graph.js";
import { LENT_CHECKPOINTER_KEY, readOnce } from "./read-once-saver.js";
import { claimThread } from "./thread-claim.js";
import { checkpointIdOf, restoreThread, turnStart } from "./thread-turns.js";

/**
 * The stream option with which {@link RollbackGraph.stream} hands the caller's abort signal (and timeout)
 * to {@link RollbackGraph._streamIterator}. LangChain fails a stream's pending read as soon as the `signal`
 * of its options aborts, before the run has stopped; moved here, the abort stops the run, and the caller
 * gets its error once the run has ended and the thread is restored.
 */
const CALLER_SIGNAL = "moaCallerSignal";

/**
 * A {@link MoAGraph} whose turns are all or nothing on a thread of its own checkpointer:
 *
 * - One turn at a time per thread: a turn on a thread that another turn is answering (of this process, or
 *   of any process sharing a PostgreSQL or SQLite checkpointer's database) throws `MoAThreadBusyError`
 *   before any model call, and leaves the thread alone ({@link claimThread}).
 * - A turn starts from the thread's last ended turn: when a process died during the thread's latest turn
 *   (its checkpoints end with nodes pending), the new turn forks from the checkpoint before it, so the
 *   dead turn's message is neither shown to the models nor part of the conversation.
 * - A turn that throws, is aborted (by the caller's `signal` or `timeout`) or whose stream is left before
 *   its end (`break`, `return()`, `cancel()`) leaves the thread's values as they were before the turn,
 *   with no pending nodes, so the user's message can be sent again. A successful turn is unaffected.
 *
 * Applies to new input on a `thread_id` when the graph runs on its own checkpointer; not to resuming
 * (`null` or a `Command` input) nor to a run as a subgraph. The thread is restored once the run has
 * ended, with LangGraph's public state API ({@link restoreThread}); the caller's error, `break` and
 * `cancel()` wait for that. When the restore fails, the turn's error is thrown with the restore's error as
 * its `rollbackError`.
 */
export class RollbackGraph extends MoAGraph {
  override async stream<M extends Modes, S extends boolean, E extends Encoding>(input: IteratorArgs[0] | null, options?: StreamOptions<M, S, E>) {
    if (this.threadToRestore(input, options) === undefined) return super.stream(input, options);
    const { signal, timeout, ...rest } = options ?? {};
    const callerSignal = anySignal(signal, timeout === undefined ? undefined : AbortSignal.timeout(timeout));
    return cancelThroughReader(await super.stream(input, { ...rest, [CALLER_SIGNAL]: callerSignal } as StreamOptions<M, S, E>));
  }

  // A plain method, not a generator: with no thread to restore, it hands back the iterator of MoAGraph.
  override _streamIterator(...[input, options]: IteratorArgs): ReturnType<AnyCompiledGraph["_streamIterator"]> {
    const thread = this.threadToRestore(input, options);
    // Options left as they are when there is nothing to take out of them (no thread, so no caller's signal).
    if (thread === undefined && (options === undefined || !(CALLER_SIGNAL in options))) return super._streamIterator(input, options);
    const { [CALLER_SIGNAL]: callerSignal, ...rest } = (options ?? {}) as NonNullable<IteratorArgs[1]> & { [CALLER_SIGNAL]?: AbortSignal };
    const runOptions = Object.assign({}, rest, { signal: anySignal(rest.signal, callerSignal) });
    if (thread === undefined) return super._streamIterator(input, runOptions);
    return this.restoringIterator(input, rest, runOptions, thread, callerSignal);
  }

  /** The run's iterator, claiming `thread` for the turn and restoring it when the turn does not finish. */
  private async *restoringIterator(
    input: IteratorArgs[0],
    rest: NonNullable<IteratorArgs[1]>,
    runOptions: NonNullable<IteratorArgs[1]>,
    thread: RunnableConfig,
    callerSignal: AbortSignal | undefined,
  ): ReturnType<AnyCompiledGraph["_streamIterator"]> {
    const checkpointer = this.checkpointer as BaseCheckpointSaver;
    const threadId = String(thread.configurable?.thread_id);
    const release = await claimThread(checkpointer, threadId);
    try {
      // The turn's reads of its thread, by the guard and by LangGraph, are one read of the saver.
      const saver = readOnce(checkpointer, threadId);
      const lent = { [LENT_CHECKPOINTER_KEY]: saver };
      const { base, fork } = await this.startOfTurn({ configurable: { ...thread.configurable, ...lent } }, rest, saver);
      const restore = () => restoreThread(this, checkpointer, thread, base, this.minRecursionLimit + 2);
      let ended = false; // finished or failed; not ended when the consumer leaves before the end
      try {
        yield* super._streamIterator(input, { ...runOptions, configurable: { ...runOptions.configurable, ...fork, ...lent } });
        ended = true;
      } catch (error) {
        ended = true;
        const thrown = callerSignal?.aborted ? abortError(callerSignal) : error;
        throw await restore().then(
          () => thrown,
          (rollbackError: unknown) => (thrown instanceof Object ? Object.assign(thrown, { rollbackError }) : thrown),
        );
      } finally {
        // The consumer's return() (`break`, `cancel()`) waits for this.
        if (!ended) await restore();
      }
    } finally {
      await release();
    }
  }

  /**
   * The thread a run of `input` with `options` must restore when it does not finish (a config holding
   * only its `configurable`, so no caller's signal), or `undefined` when it need not.
   */
  private threadToRestore(input: unknown, options: RunnableConfig | undefined): RunnableConfig | undefined {
    if (typeof this.checkpointer !== "object" || isResumeInput(input)) return undefined;
    const { checkpoint_id: _, ...configurable } = { ...this.config?.configurable, ...options?.configurable };
    const scopes = [getConfig()?.configurable, configurable];
    const nested = scopes.some((c) => Object.keys(c ?? {}).some((key) => key.startsWith("__pregel_")) || (c?.checkpoint_ns ?? "") !== "");
    return nested || configurable.thread_id === undefined ? undefined : { configurable };
  }

  /**
   * Where a turn on `thread` starts: the checkpoint the caller names, or else the thread's last ended
   * turn ({@link turnStart}), with the `configurable` that runs the turn from exactly that checkpoint
   * (a fork when a process died during the turn after it). A thread holding only a dead first turn is
   * emptied first. `saver` is the turn's own view of the checkpointer, which `thread` lends the state calls.
   */
  private async startOfTurn(thread: RunnableConfig, options: RunnableConfig, saver: BaseCheckpointSaver): Promise<{ base: StateSnapshot | undefined; fork?: { checkpoint_id: string } }> {
    const named = checkpointIdOf({ configurable: { ...this.config?.configurable, ...options.configurable } });
    if (named !== undefined) return { base: await this.getState({ configurable: { ...thread.configurable, checkpoint_id: named } }) };
    const { head, base } = await turnStart(this, thread);
    const baseId = checkpointIdOf(base?.config);
    // Named even when it is the latest: a dead process's last writes may still land in the database
    // after it exited, and LangGraph, left to load "the latest" itself, would start from those.
    if (baseId !== undefined) return { base, fork: { checkpoint_id: baseId } };
    if (baseId === undefined && checkpointIdOf(head.config) !== undefined) await saver.deleteThread(String(thread.configurable?.thread_id));
    return { base };
  }
}

/**
 * `graph` as a {@link RollbackGraph}, with the same type (so `withConfig` copies keep the rollback) and,
 * when it is a {@link MoAGraph}, the same lowest recursion limit.
 */
export function withRollback<G extends Pick<AnyCompiledGraph, "nodes" | "channels" | "checkpointer">>(graph: G): G {
  return new RollbackGraph({ ...graph } as unknown as ConstructorParameters<typeof RollbackGraph>[0]) as unknown as G;
}

/**
 * Makes `stream.cancel()` cancel the stream's reader. LangGraph's own `cancel()` aborts the run but
 * abandons its iterator, which then never restores the thread; cancelling the reader ends the iterator,
 * and `cancel()` resolves once the thread is restored. A `for await` over the stream ends normally.
 */
function cancelThroughReader<T>(stream: IterableReadableStream<T>): IterableReadableStream<T> {
  const abandon = stream.cancel.bind(stream);
  stream.cancel = async (reason?: unknown) => {
    if (!stream.locked) return ReadableStream.prototype.cancel.call(stream, reason);
    // Locked by `for await` (the stream's own reader), or else by a reader of the caller's own.
    const own: ReadableStreamDefaultReader<T> | undefined = stream.reader;
    return own ? own.cancel(reason) : abandon(reason);
  };
  return stream;
}

/** The error LangChain reports for an aborted `signal`. */
function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error(typeof reason === "string" ? reason : "Aborted");
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((s): s is AbortSignal => s !== undefined);
  return present.length > 1 ? AbortSignal.any(present) : present[0];
}
