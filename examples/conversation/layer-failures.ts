/**
 * Failed proposals of the layer under way, held until the layer is over and then said once per cause,
 * e.g. `layer 1: openai:gpt-4o-mini ×3 failed: cannot reach http://127.0.0.1:8000/v1 (ECONNREFUSED); …`.
 */
import type { ProposalEvent } from "../../src/index.js";
import { groupLine, groupProblems } from "./model-problems.js";
import { proposalProblems } from "./turn-failure.js";

/** Collects a turn's proposals and reports each layer's failures when the layer ends. */
export class LayerFailures {
  private layer = 0;
  private failed: ProposalEvent[] = [];

  /** @param say - Receives one line per cause. */
  constructor(private readonly say: (line: string) => void) {}

  /** A proposal came in; one of a later layer ends the layer before. */
  add(event: ProposalEvent): void {
    if (event.layer !== this.layer) this.flush();
    this.layer = event.layer;
    if (event.error) this.failed.push(event);
  }

  /** Says the failures held, unless their layer is `skipLayer` (whose failures the turn's error lists already). */
  flush(skipLayer?: number): void {
    if (this.layer !== skipLayer) {
      for (const group of groupProblems(proposalProblems(this.failed))) this.say(`layer ${this.layer}: ${groupLine(group, "failed")}`);
    }
    this.failed = [];
  }
}
