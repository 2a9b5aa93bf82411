/**
 * A block of lines at the bottom of the terminal that is redrawn in place (the status lines), with
 * text printed above it as it comes (the proposals), in the manner of progress displays.
 */
import { cursor, fitWidth } from "./ansi.js";

/** The terminal output the region draws on. */
export interface TerminalOutput {
  write(text: string): unknown;
  readonly columns?: number;
}

/** Lines redrawn in place; each is cut to the terminal's width so none wraps (which would break the redraw). */
export class LiveRegion {
  private height = 0;

  constructor(private readonly out: TerminalOutput) {}

  /** Replaces the region's lines with `lines`. */
  render(lines: readonly string[]): void {
    this.out.write(this.erase() + this.draw(lines));
  }

  /** Prints `text` (ending in a newline) above the region, then draws `lines` below it. */
  printAbove(text: string, lines: readonly string[]): void {
    this.out.write(this.erase() + text + this.draw(lines));
  }

  /** Leaves the current lines on the screen for good; the next render starts below them. */
  release(): void {
    this.height = 0;
  }

  private erase(): string {
    return this.height > 0 ? cursor.up(this.height) + cursor.clearBelow : "";
  }

  private draw(lines: readonly string[]): string {
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    this.height = lines.length;
    return lines.map((line) => `${fitWidth(line, width)}\n`).join("");
  }
}
