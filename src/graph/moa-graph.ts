import { setMaxListeners } from "node:events";
import { CompiledStateGraph, isCommand, type PregelOptions, type StreamMode } from "@langchain/langgraph";
import { followAbort } from "../models/call-signal.js";

/** Any compiled state graph, for the stream types below. */
export type AnyCompiledGraph = CompiledStateGraph<unknown, unknown, string>;
/** The arguments of a compiled graph's `_streamIterator`. */
export type IteratorArgs = Parameters<AnyCompiledGraph["_streamIterator"]>;
/** The stream modes a graph's `stream` takes. */
export type Modes = StreamMode | StreamMode[] | undefined;
/** The encodings a graph's `stream` takes. */
export type Encoding = "text/event-stream" | undefined;
/** The options of a graph's `stream`. */
export type StreamOptions<M extends Modes, S extends boolean, E extends Encoding> = Partial<
  PregelOptions<AnyCompiledGraph["nodes"], AnyCompiledGraph["channels"], Record<string, unknown>, M, S, E>
>;

/** Whether a run's `input` resumes the thread's current turn (`null` or a `Command`) rather than starting one. */
export function isResumeInput(input: unknown): boolean {
  return input === null || input === undefined || isCommand(input);
}

/** LangGraph's recursion limit when a run sets none. */
const DEFAULT_RECURSION_LIMIT = 25;

/**
 * The stream option with which {@link MoAGraph.stream} hands {@link MoAGraph._streamIterator} the undoing
 * of its link to the caller's abort signal, to be called when the run ends.
 */
const UNLINK_CALLER_SIGNAL = "moaUnlinkCallerSignal";

/** What a {@link MoAGraph} adds to every run: the lowest recursion limit, and the fields a new turn starts with. */
export interface MoARunSettings {
  /** The lowest recursion limit a run gets. */
  readonly minRecursionLimit?: number;
  /** The state fields written with a new turn's input (not when resuming with `null` or a `Command`). */
  readonly newTurn?: () => Record<string, unknown>;
}

/** The fields of a {@link MoAGraph}: a compiled state graph's, and its {@link MoARunSettings}. */
export type MoAGraphFields = ConstructorParameters<typeof CompiledStateGraph<unknown, unknown, string>>[0] & MoARunSettings;

/**
 * A compiled MoA graph. Wherever it runs (invoked, streamed, as a parent graph's node, on LangGraph
 * Server) a run gets at least the recursion limit its layers need: a parent graph's config brings the
 * parent's limit (25 unless set), which LangGraph would let win over a limit bound with `withConfig`.
 * The MoA's own steps are bounded by its layers, so raising the limit cannot let a loop run away.
 *
 * A new turn's input (a state object, not `null` or a `Command`) is written together with the fields a
 * turn starts with, so that resetting them takes no step of its own.
 *
 * A caller's `signal` is linked to a signal of the run's own by one listener, removed when the run
 * ends: LangGraph itself would leave a listener on it per run, and a signal kept for many turns would
 * gather them (and Node's `MaxListenersExceededWarning`). The run's signal may have many listeners.
 */
export class MoAGraph extends CompiledStateGraph<unknown, unknown, string> {
  /** The lowest recursion limit a run of this graph gets. */
  readonly minRecursionLimit: number;
  /** The state fields written with a new turn's input. */
  readonly newTurn: (() => Record<string, unknown>) | undefined;

  constructor(fields: MoAGraphFields) {
    super(fields);
    this.minRecursionLimit = fields.minRecursionLimit ?? 0;
    this.newTurn = fields.newTurn;
  }

  override async stream<M extends Modes, S extends boolean, E extends Encoding>(
    input: IteratorArgs[0] | null,
    options?: StreamOptions<M, S, E>,
  ) {
    const callerSignal = options?.signal;
    if (callerSignal === undefined) return super.stream(input, options);
    const run = new AbortController();
    const unlink = followAbort(callerSignal, run);
    try {
      return await super.stream(input, { ...options, signal: run.signal, [UNLINK_CALLER_SIGNAL]: unlink } as StreamOptions<M, S, E>);
    } catch (error) {
      unlink();
      throw error;
    }
  }

  // A plain method, not a generator: with no caller's signal to unlink, it hands back LangGraph's own
  // iterator, so each chunk of a run passes through no extra generator.
  override _streamIterator(...[input, options]: IteratorArgs): ReturnType<AnyCompiledGraph["_streamIterator"]> {
    const given = (options ?? {}) as NonNullable<IteratorArgs[1]> & { [UNLINK_CALLER_SIGNAL]?: () => void };
    const unlink = given[UNLINK_CALLER_SIGNAL];
    const asked = given.recursionLimit ?? this.config?.recursionLimit ?? DEFAULT_RECURSION_LIMIT;
    const runOptions = Object.assign({}, given, { recursionLimit: Math.max(asked, this.minRecursionLimit) }, durabilityOf(given));
    // Deleted only when there (a rest copy of every run's options costs a runtime call on Node 20).
    if (unlink !== undefined) delete runOptions[UNLINK_CALLER_SIGNAL];
    // The run's own signal (LangGraph's, made from the caller's): graphs run inside a layer's calls (MoA
    // chat models as proposers) each listen to it, which is many listeners, not a leak.
    if (given.signal !== undefined) setMaxListeners(0, given.signal);
    const run = super._streamIterator(this.withNewTurn(input), runOptions);
    if (unlink === undefined) return run;
    // A stream cancelled before it is read aborts the run but may never end this iterator.
    given.signal?.addEventListener("abort", unlink, { once: true });
    return finallyAfter(run, unlink);
  }

  /** `input` with the fields a new turn starts with, when it starts one. */
  private withNewTurn(input: IteratorArgs[0]): IteratorArgs[0] {
    const startsTurn = this.newTurn !== undefined && !isResumeInput(input) && typeof input === "object" && !Array.isArray(input);
    return startsTurn ? Object.assign({}, input, this.newTurn?.()) : input;
  }
}

/** The `configurable` key through which a parent graph hands its durability to a subgraph's run (LangGraph's). */
const PARENT_DURABILITY_KEY = "__pregel_durability";

/**
 * The durability of a run that sets none: `"exit"`, so that a thread stores one checkpoint per turn, written
 * when the turn ends (or pauses at an interrupt), rather than one per step, each holding the whole
 * conversation and the turn's working state. A turn's progress still streams (`custom`, `values`, `updates`);
 * a run that sets `durability` (`"async"`: a running turn's steps can be read with `getState` from elsewhere)
 * or `checkpointDuring`, or runs inside a parent graph (which hands down its own), keeps its choice.
 */
function durabilityOf(options: NonNullable<IteratorArgs[1]>): { durability?: "exit" } {
  const chosen = options as { durability?: unknown; checkpointDuring?: unknown; configurable?: Record<string, unknown> };
  const given = chosen.durability !== undefined || chosen.checkpointDuring !== undefined || chosen.configurable?.[PARENT_DURABILITY_KEY] !== undefined;
  return given ? {} : { durability: "exit" };
}

/**
 * `graph` as a {@link MoAGraph} with `settings`, with the same type (so `withConfig` copies keep them).
 */
export function asMoAGraph<G extends Pick<AnyCompiledGraph, "nodes" | "channels" | "checkpointer">>(graph: G, settings: MoARunSettings): G {
  return new MoAGraph({ ...graph, ...settings } as unknown as MoAGraphFields) as unknown as G;
}

/** `run`'s chunks, then `done()`, however the iteration ends (finished, failed or left). */
async function* finallyAfter<T, R>(run: AsyncGenerator<T, R>, done: () => void): AsyncGenerator<T, R> {
  try {
    return yield* run;
  } finally {
    done();
  }
}
