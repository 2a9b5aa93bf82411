/**
 * How a turn looks in the terminal: the live status lines, the proposals (with `--show-internal`), the
 * answer streamed token by token, then one summary line, or why the turn was cancelled or failed. Why a
 * proposer failed is said whole, wrapped to the terminal, once a turn, under the layer it failed in (with
 * `--show-internal`, in its proposal's block).
 */
import type { ProposalEvent } from "../../src/index.js";
import { cursor, type Style } from "./ansi.js";
import { LayerFailures } from "./layer-failures.js";
import type { TerminalOutput } from "./live-region.js";
import { groupLine } from "./model-problems.js";
import { proposalBlock } from "./proposal-block.js";
import type { TurnListener, TurnOutcome } from "./run-turn.js";
import { StatusBoard } from "./status-board.js";
import { StreamWrapper } from "./stream-wrap.js";
import { describeTurnFailure, failedBeforeCalls, failureLines } from "./turn-failure.js";
import { turnSummary } from "./turn-summary.js";
import { wrapIndented } from "./wrap.js";

/** What the view needs to know about the MoA. */
export interface MoAShape {
  readonly proposerIds: readonly string[];
  readonly aggregator: string;
  readonly layers: number;
  readonly minProposals: number;
}

/** The terminal view of one turn; create one per turn. */
export class TerminalTurnView implements TurnListener {
  private readonly board: StatusBoard;
  private readonly failures = new LayerFailures();
  /** Set once the answer's first token is in. */
  private wrapper: StreamWrapper | undefined;

  constructor(
    private readonly out: TerminalOutput,
    private readonly style: Style,
    shape: MoAShape,
    private readonly showInternal: boolean,
  ) {
    this.board = new StatusBoard(out, style, shape.proposerIds, shape.aggregator, shape.layers, shape.minProposals, () => this.failureNotes());
  }

  /** Hides the cursor and draws the first layer's status lines. */
  start(): void {
    this.out.write(cursor.hide);
    this.board.start();
  }

  proposal(event: ProposalEvent): void {
    const columns = this.out.columns ?? 80;
    this.failures.add(event);
    this.board.proposal(event, this.showInternal ? proposalBlock(event, columns, this.style) : "");
  }

  token(text: string): void {
    if (this.wrapper === undefined) {
      this.board.answerStarts();
      this.out.write(`${this.style.bold(this.style.green("moa>"))} `);
      this.wrapper = new StreamWrapper((this.out.columns ?? 80) - 1, "moa> ".length);
    }
    this.out.write(this.wrapper.push(text));
  }

  /** Ends the answer and prints the summary line, or what went wrong; shows the cursor again. */
  end(outcome: TurnOutcome): void {
    if (outcome.kind === "answered") {
      if (this.wrapper === undefined) this.token(outcome.text);
      const summary = wrapIndented(turnSummary(outcome), (this.out.columns ?? 80) - 1, "  ").map(this.style.dim);
      this.out.write(`${this.wrapper?.flush() ?? ""}\n${summary.join("\n")}\n`);
    } else {
      // The answer had started: say that what shows of it is not the answer.
      if (this.wrapper !== undefined) this.out.write(`${this.wrapper.flush()} ${this.style.dim("[answer cut off]")}\n`);
      else this.board.stop(outcome.kind === "failed" && failedBeforeCalls(outcome.error) ? "unstarted" : outcome.kind);
      const width = (this.out.columns ?? 80) - 1;
      const lines = outcome.kind === "cancelled"
        ? wrapIndented("Cancelled. The question was not added to the conversation.", width, "  ⊘ ", "    ").map(this.style.yellow)
        : [
          ...failureLines(describeTurnFailure(outcome.error), width, "  ✗ The turn failed: ", "    ", (problem) => this.failures.said(problem)),
          ...wrapIndented("The question was not added to the conversation; send it again.", width, "    "),
        ].map(this.style.red);
      this.out.write(`${lines.join("\n")}\n`);
    }
    this.out.write(cursor.show);
  }

  /** The layer's failures not said yet this turn, each cause whole and wrapped (none with `--show-internal`: the blocks hold them). */
  private failureNotes(): string[] {
    const groups = this.failures.take();
    if (this.showInternal) return [];
    const width = (this.out.columns ?? 80) - 1;
    return groups.flatMap((group) => wrapIndented(groupLine(group, "failed"), width, "  ✗ ", "    ")).map(this.style.red);
  }
}
