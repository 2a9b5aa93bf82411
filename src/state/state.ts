import { Annotation, MessagesAnnotation } from "@langchain/langgraph";
import { LastValue } from "@langchain/langgraph/channels";
import type { Proposal } from "./proposal.js";
import type { MoATrace } from "./trace.js";
import { TurnScopedValue } from "./turn-scoped-value.js";

/** The trace of a turn that has not made any call yet (no usage: none was reported). */
export const EMPTY_TRACE: MoATrace = Object.freeze({
  layers: Object.freeze([]),
  aggregator: Object.freeze([]),
  calls: 0,
  wallMs: 0,
});

/**
 * The state of the MoA graph. `messages` is the conversation and persists across turns (with a
 * checkpointer); the other fields belong to the current turn and are reset with each new turn's input.
 */
export const MoAStateAnnotation = Annotation.Root({
  ...MessagesAnnotation.spec,
  /**
   * Every proposal of the turn so far, in arrival order (the `join` node orders them). Working state of the
   * turn: not checkpointed once the turn has ended (see {@link TurnScopedValue}).
   */
  proposals: new TurnScopedValue<Proposal[]>((current, update) => current.concat(update), () => []),
  /** The answers of the last completed layer, ordered by proposer. Working state of the turn, as `proposals`. */
  references: new TurnScopedValue<string[]>((_, update) => update, () => []),
  /** Identifies the current turn (set with each new turn's input). */
  turnId: Annotation<string>({
    reducer: (_, update) => update,
    default: () => "",
  }),
  /** Epoch milliseconds by which the current turn must end (`timeouts.turnMs`), if any. */
  deadline: Annotation<number | null>({
    reducer: (_, update) => update,
    default: () => null,
  }),
  /** The aggregator's parsed structured output of the current turn, when one was asked for. */
  // A last-value channel that starts holding `undefined`: an aggregate channel holding `undefined` counts as
  // empty, and an empty channel makes LangGraph throw (and catch) an error at every read or checkpoint of it.
  structuredResponse: new LastValue<unknown>(() => undefined),
  /** The trace of the current (or, once it ended, the last) turn. */
  trace: Annotation<MoATrace>({
    reducer: (_, update) => update,
    default: () => EMPTY_TRACE,
  }),
});

/** The state of the MoA graph. */
export type MoAState = typeof MoAStateAnnotation.State;
/** A partial update of the MoA graph's state. */
export type MoAStateUpdate = typeof MoAStateAnnotation.Update;
