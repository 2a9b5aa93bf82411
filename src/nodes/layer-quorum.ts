/**
 * How a proposer call of a layer ended, for its quorum: `answered` with text (a proposal), or not
 * (failed, or an `empty` answer with no text, which must not start the grace period).
 */
export type QuorumOutcome = "answered" | "no_answer";

/** The quorum of one layer of one turn: once `min` proposals are in, the rest get `graceMs` more. */
class LayerQuorum {
  private succeeded = 0;
  private settled = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly stragglers = new AbortController();

  constructor(
    private readonly expected: number,
    private readonly min: number,
    private readonly graceMs: number,
    private readonly onDone: () => void,
  ) {}

  /** Aborts when the grace period after the quorum has run out. */
  get signal(): AbortSignal {
    return this.stragglers.signal;
  }

  /** Records that one proposer of the layer has finished; only an `answered` one counts toward `min`. */
  settle(outcome: QuorumOutcome): void {
    const success = outcome === "answered";
    this.settled += 1;
    if (success) this.succeeded += 1;
    if (this.settled === this.expected) {
      clearTimeout(this.timer);
      this.onDone();
    } else if (success && this.succeeded === this.min) {
      this.timer = setTimeout(() => this.stragglers.abort(new Error(`straggler: quorum of ${this.min} reached ${this.graceMs} ms earlier`)), this.graceMs);
    }
  }
}

/** The quorums of the layers in progress, keyed by turn and layer. */
export class QuorumRegistry {
  private readonly layers = new Map<string, LayerQuorum>();

  constructor(private readonly rule: { readonly min: number; readonly graceMs: number }) {}

  /** The quorum of `layer` of `turn`, created by the first of its `expected` proposers to ask. */
  join(turn: string, layer: number, expected: number): LayerQuorum {
    const key = `${turn}:${layer}`;
    let quorum = this.layers.get(key);
    if (quorum === undefined) {
      quorum = new LayerQuorum(expected, this.rule.min, this.rule.graceMs, () => this.layers.delete(key));
      this.layers.set(key, quorum);
    }
    return quorum;
  }
}
