/**
 * Failed proposals of the layer under way, held until the layer is over and then said once per cause,
 * e.g. `layer 1: openai:gpt-4o-mini ×3 failed: cannot reach http://127.0.0.1:8000/v1 (ECONNREFUSED); …`.
 * A cause is said once a turn: a proposer that failed for good in layer 1 (an unknown model, a refused
 * key) is not called in the later layers, and its failure there, the same cause, is not said again.
 */
import type { ProposalEvent } from "../../src/index.js";
import { groupProblems, type ModelProblem, type ProblemGroup } from "./model-problems.js";
import { proposalProblems } from "./turn-failure.js";

/** Collects one turn's proposals and gives each layer's failures when the layer ends. */
export class LayerFailures {
  private layer = 0;
  private failed: ProposalEvent[] = [];
  /** Each model and cause said this turn. */
  private readonly saidProblems = new Set<string>();

  /** @param say - Receives a layer's new causes when a proposal of a later layer ends it, or on {@link flush}. */
  constructor(private readonly say?: (layer: number, groups: readonly ProblemGroup[]) => void) {}

  /** A proposal came in; one of a later layer ends the layer before. */
  add(event: ProposalEvent): void {
    if (event.layer !== this.layer) this.flush();
    this.layer = event.layer;
    if (event.error) this.failed.push(event);
  }

  /**
   * Says the held failures' new causes, unless their layer is `skipLayer` (whose failures the turn's
   * error lists already: they are not counted as said).
   */
  flush(skipLayer?: number): void {
    if (this.layer === skipLayer) {
      this.failed = [];
      return;
    }
    const groups = this.take();
    if (groups.length > 0) this.say?.(this.layer, groups);
  }

  /** The held failures whose model and cause were not said yet this turn, grouped by cause; they count as said now. */
  take(): ProblemGroup[] {
    const fresh = proposalProblems(this.failed).filter((problem) => !this.said(problem));
    this.failed = [];
    for (const problem of fresh) this.saidProblems.add(keyOf(problem));
    return groupProblems(fresh);
  }

  /** Whether `problem` (a model and its cause) was said this turn. */
  said(problem: ModelProblem): boolean {
    return this.saidProblems.has(keyOf(problem));
  }
}

function keyOf({ model, cause }: ModelProblem): string {
  return `${model}\n${cause}`;
}
