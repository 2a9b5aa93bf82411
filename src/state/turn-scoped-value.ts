import { BinaryOperatorAggregate, EmptyChannelError } from "@langchain/langgraph";

/** Written to a {@link TurnScopedValue} by the step that ends the turn: its value is then no longer checkpointed. */
export const TURN_ENDED = Symbol.for("langgraph-moa.turn-ended");

/**
 * A reducer channel for a turn's working state (its proposals, the references of its last layer): checkpointed
 * while the turn runs, so that a turn paused at an interrupt resumes with it, and left out of every checkpoint
 * once the turn's last step has written {@link TURN_ENDED}, so that a thread does not store it with each
 * answered turn. The value stays readable until the next turn writes its own: the run's result (`invoke`,
 * the `values` stream) still holds it; a state read back from the thread (`getState`) does not.
 *
 * LangGraph's own channel for a value that is never checkpointed (`UntrackedValue`) takes one value per step,
 * where proposals are written by a layer's tasks in one step, and would be lost at an interrupt.
 */
export class TurnScopedValue<T> extends BinaryOperatorAggregate<T, T | typeof TURN_ENDED> {
  override lc_graph_name = "TurnScopedValue";
  private ended = false;

  /**
   * @param reducer how a write joins the value (the `Overwrite` of a new turn replaces it).
   * @param initial the value before any write.
   */
  constructor(
    private readonly reducer: (current: T, update: T) => T,
    private readonly initial: () => T,
  ) {
    super(reducer as (a: T, b: T | typeof TURN_ENDED) => T, initial);
  }

  override fromCheckpoint(checkpoint?: T): this {
    const channel = new TurnScopedValue<T>(this.reducer, this.initial);
    if (checkpoint !== undefined) channel.value = checkpoint;
    return channel as this;
  }

  override update(values: Array<T | typeof TURN_ENDED>): boolean {
    const writes = values.filter((value): value is T => value !== TURN_ENDED);
    const ends = writes.length < values.length;
    const changed = writes.length > 0 && super.update(writes);
    if (writes.length > 0) this.ended = false;
    if (ends && !this.ended) {
      this.ended = true;
      return true;
    }
    return changed;
  }

  override checkpoint(): T {
    if (this.ended) throw new EmptyChannelError();
    return super.checkpoint();
  }

  override equals(other: unknown): boolean {
    return other instanceof TurnScopedValue && other.reducer === this.reducer;
  }
}
