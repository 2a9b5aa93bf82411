/**
 * The live status of a turn in the terminal: for each layer, one line per proposer (waiting, done in
 * N s, failed, not called), then a line for the aggregator until the answer's first token. A finished
 * layer's lines stay on the screen, followed by its notes (why its proposers failed, said whole); the
 * next layer's lines are drawn below them.
 */
import type { ProposalEvent } from "../../src/index.js";
import type { Style } from "./ansi.js";
import { LiveRegion, type TerminalOutput } from "./live-region.js";
import { seconds } from "./turn-summary.js";

type Status =
  | { readonly kind: "waiting" }
  | { readonly kind: "done" | "failed" | "straggler" | "cancelled"; readonly ms: number }
  /** Not called: the proposer failed for good in layer `failedIn` of the turn. */
  | { readonly kind: "skipped"; readonly failedIn?: number };

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 100;
const MAX_NAME = 32;

/** The live status lines of one turn. */
export class StatusBoard {
  private readonly region: LiveRegion;
  private layer = 1;
  private layerStart = Date.now();
  private statuses: Status[];
  private aggregating = false;
  /** The last layer failed: the turn is over, nothing more is drawn. */
  private over = false;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly nameWidth: number;
  /** The layer in which each proposer (by index) first failed this turn. */
  private readonly failedIn = new Map<number, number>();

  /**
   * @param ids - The proposers' display names, one per call of a layer.
   * @param aggregator - The aggregator's name (the first one tried).
   * @param layers - The number of proposer layers.
   * @param minProposals - Successful proposals a layer needs for the turn to go on.
   * @param layerNotes - The lines to print under a layer once it is over (and the turn goes on), or when the
   *   turn ends during it; not for a layer whose failures ended the turn (the turn's error lists them).
   */
  constructor(
    private readonly out: TerminalOutput,
    private readonly style: Style,
    private readonly ids: readonly string[],
    private readonly aggregator: string,
    private readonly layers: number,
    private readonly minProposals = 1,
    private readonly layerNotes: () => readonly string[] = () => [],
  ) {
    this.region = new LiveRegion(out);
    this.statuses = ids.map(() => ({ kind: "waiting" }));
    this.nameWidth = Math.min(MAX_NAME, Math.max(...ids.map((id) => id.length), 1));
  }

  /** Draws layer 1 and starts the clock. */
  start(): void {
    this.layerStart = Date.now();
    this.timer = setInterval(() => this.redraw(), FRAME_MS);
    this.timer.unref();
    this.redraw();
  }

  /** Records a finished proposer call; `above` (a proposal block) is printed above the status lines first. */
  proposal(event: ProposalEvent, above = ""): void {
    if (event.layer > this.layer) this.nextLayer(event.layer);
    const ms = event.endedAt - event.startedAt;
    const failedIn = this.failedIn.get(event.index);
    const status: Status = event.attempts === 0
      ? { kind: "skipped", ...(failedIn !== undefined ? { failedIn } : {}) }
      : event.error
        ? { kind: event.straggler ? "straggler" : "failed", ms }
        : { kind: "done", ms };
    if (event.error && event.attempts !== 0 && failedIn === undefined) this.failedIn.set(event.index, event.layer);
    this.statuses[event.index] = status;
    this.region.printAbove(above, this.lines());
    if (this.statuses.some((s) => s.kind === "waiting")) return;
    if (this.statuses.filter((s) => s.kind === "done").length >= this.minProposals) return this.nextLayer(this.layer + 1);
    this.over = true;
    this.stopClock();
    this.region.release();
  }

  /** The answer starts: the aggregator's line goes away and the clock stops. */
  answerStarts(): void {
    this.stopClock();
    this.region.render([]);
  }

  /**
   * The turn ended without an answer: calls still waiting are shown as cancelled or failed; `unstarted`
   * (no model was called: one could not be created) takes the status lines away.
   */
  stop(how: "cancelled" | "failed" | "unstarted"): void {
    this.stopClock();
    if (this.over) return;
    if (how === "unstarted") {
      this.region.render([]);
      this.region.release();
      return;
    }
    const ms = Date.now() - this.layerStart;
    const icon = how === "cancelled" ? this.style.yellow("⊘") : this.style.red("✗");
    if (this.aggregating) {
      this.region.render([`  ${icon} aggregator ${this.aggregator}  ${how} after ${seconds(ms)}`]);
    } else {
      this.statuses = this.statuses.map((s) => (s.kind === "waiting" ? { kind: how, ms } : s));
      this.region.render(this.lines());
    }
    this.region.release();
    this.out.write(linesOf(this.layerNotes()));
  }

  private nextLayer(layer: number): void {
    const notes = this.layerNotes();
    this.region.release();
    this.layer = layer;
    this.layerStart = Date.now();
    this.statuses = this.ids.map(() => ({ kind: "waiting" }));
    this.aggregating = layer > this.layers;
    this.region.printAbove(linesOf(notes), this.lines());
  }

  private stopClock(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private redraw(): void {
    this.frame = (this.frame + 1) % SPINNER.length;
    this.region.render(this.lines());
  }

  private lines(): string[] {
    const spinner = this.style.cyan(SPINNER[this.frame] ?? "*");
    if (this.aggregating) {
      return [`  ${spinner} aggregator ${this.style.bold(this.aggregator)} writing the answer… ${seconds(Date.now() - this.layerStart)}`];
    }
    const label = `layer ${this.layer}`;
    return this.ids.map((id, i) => {
      const head = i === 0 ? this.style.dim(label) : " ".repeat(label.length);
      const name = id.length > this.nameWidth ? `${id.slice(0, this.nameWidth - 1)}…` : id.padEnd(this.nameWidth);
      return `  ${head} ${this.describe(this.statuses[i] ?? { kind: "waiting" }, spinner, name)}`;
    });
  }

  private describe(status: Status, spinner: string, name: string): string {
    const { style } = this;
    if (status.kind === "waiting") return `${spinner} ${name}  ${style.dim(`waiting ${seconds(Date.now() - this.layerStart)}`)}`;
    if (status.kind === "skipped") return `${style.red("✗")} ${name}  ${style.dim(`not called: failed in ${status.failedIn === undefined ? "an earlier layer" : `layer ${status.failedIn}`}`)}`;
    const time = seconds(status.ms);
    if (status.kind === "done") return `${style.green("✓")} ${name}  done in ${time}`;
    if (status.kind === "failed") return `${style.red("✗")} ${name}  ${style.red(`failed after ${time}`)}`;
    if (status.kind === "straggler") return `${style.yellow("⊘")} ${name}  ${style.yellow(`cut off after ${time}`)} (quorum reached)`;
    return `${style.yellow("⊘")} ${name}  ${style.yellow(`cancelled after ${time}`)}`;
  }
}

/** `lines` as text ending in a newline; "" for none. */
function linesOf(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join("");
}
