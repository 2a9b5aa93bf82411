import type { RunnableConfig } from "@langchain/core/runnables";
import type { IterableReadableStream } from "@langchain/core/utils/stream";
import { getConfig, isCommand, type StateSnapshot } from "@langchain/langgraph";
import { MoAGraph, type AnyCompiledGraph, type Encoding, type IteratorArgs, type Modes, type StreamOptions } from "./moa-graph.js";

/**
 * The stream option with which {@link RollbackGraph.stream} hands the caller's abort signal (and timeout)
 * to {@link RollbackGraph._streamIterator}. LangChain fails a stream's pending read as soon as the `signal`
 * of its options aborts, before the run has stopped; moved here, the abort stops the run, and the caller
 * gets its error once the run has ended and the thread is restored.
 */
const CALLER_SIGNAL = "moaCallerSignal";

/**
 * A {@link MoAGraph} whose turns are all or nothing on a thread of its own checkpointer: a turn
 * that throws, is aborted (by the caller's `signal` or `timeout`) or whose stream is left before its end
 * (`break`, `return()`, `cancel()`) leaves the thread exactly as it was before the turn (the same values
 * and no pending nodes), so the user's message can be sent again. A successful turn is unaffected.
 *
 * Applies to new input on a `thread_id` when the graph runs on its own checkpointer; not to resuming
 * (`null` or a `Command` input) nor to a run as a subgraph. The thread is restored once the run has
 * ended, by copying the checkpoint it had before the turn (LangGraph's `"__copy__"` update), or deleting
 * it again when it had none; the caller's error, `break` and `cancel()` wait for that. When the restore
 * fails, the turn's error is thrown with the restore's error as its `rollbackError`.
 */
export class RollbackGraph extends MoAGraph {
  override async stream<M extends Modes, S extends boolean, E extends Encoding>(input: IteratorArgs[0] | null, options?: StreamOptions<M, S, E>) {
    if (this.threadToRestore(input, options) === undefined) return super.stream(input, options);
    const { signal, timeout, ...rest } = options ?? {};
    const callerSignal = anySignal(signal, timeout === undefined ? undefined : AbortSignal.timeout(timeout));
    return cancelThroughReader(await super.stream(input, { ...rest, [CALLER_SIGNAL]: callerSignal } as StreamOptions<M, S, E>));
  }

  override async *_streamIterator(...[input, options]: IteratorArgs): ReturnType<AnyCompiledGraph["_streamIterator"]> {
    const { [CALLER_SIGNAL]: callerSignal, ...rest } = (options ?? {}) as NonNullable<IteratorArgs[1]> & { [CALLER_SIGNAL]?: AbortSignal };
    const runOptions = { ...rest, signal: anySignal(rest.signal, callerSignal) };
    const thread = this.threadToRestore(input, rest);
    if (thread === undefined) return yield* super._streamIterator(input, runOptions);
    const before = await this.getState(thread);
    let ended = false; // finished or failed; not ended when the consumer leaves before the end
    try {
      yield* super._streamIterator(input, runOptions);
      ended = true;
    } catch (error) {
      ended = true;
      const thrown = callerSignal?.aborted ? abortError(callerSignal) : error;
      throw await this.restore(thread, before).then(
        () => thrown,
        (rollbackError: unknown) => (thrown instanceof Object ? Object.assign(thrown, { rollbackError }) : thrown),
      );
    } finally {
      // The consumer's return() (`break`, `cancel()`) waits for this.
      if (!ended) await this.restore(thread, before);
    }
  }

  /**
   * The thread a run of `input` with `options` must restore when it does not finish (a config holding
   * only its `configurable`, so no caller's signal), or `undefined` when it need not.
   */
  private threadToRestore(input: unknown, options: RunnableConfig | undefined): RunnableConfig | undefined {
    if (typeof this.checkpointer !== "object" || input === null || input === undefined || isCommand(input)) return undefined;
    const { checkpoint_id: _, ...configurable } = { ...this.config?.configurable, ...options?.configurable };
    const scopes = [getConfig()?.configurable, configurable];
    const nested = scopes.some((c) => Object.keys(c ?? {}).some((key) => key.startsWith("__pregel_")) || (c?.checkpoint_ns ?? "") !== "");
    return nested || configurable.thread_id === undefined ? undefined : { configurable };
  }

  /**
   * Puts `thread` back to `before`: a copy of its checkpoint becomes the latest (every channel as it was,
   * whatever the failed turn wrote, and nothing pending), or the thread is deleted when it had none.
   */
  private async restore(thread: RunnableConfig, before: StateSnapshot): Promise<void> {
    const checkpointId: unknown = before.config.configurable?.checkpoint_id;
    if (checkpointId !== undefined) {
      await this.updateState({ configurable: { ...thread.configurable, checkpoint_id: checkpointId } }, undefined, "__copy__");
    } else if (typeof this.checkpointer === "object") {
      await this.checkpointer.deleteThread(String(thread.configurable?.thread_id));
    }
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
