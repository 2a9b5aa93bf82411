/**
 * A proposal as a framed, wrapped, dimmed block for `--show-internal`:
 *
 *   ┌ layer 1 · openai:gpt-4o-mini · 1.2 s · 120 tokens in (80 cached), 48 out
 *   │ The answer, wrapped to the terminal's width…
 *   └
 */
import { formatUsage, type ProposalEvent } from "../../src/index.js";
import type { Style } from "./ansi.js";
import { proposalError } from "./proposal-error.js";
import { seconds } from "./turn-summary.js";
import { wrapText } from "./wrap.js";

/** What the block of a proposal with no request made says instead of repeating its error. */
const NOT_CALLED = "Not called again this turn: it failed in an earlier layer (its block above says why), and another call would fail alike.";

/** The block of `event` for a terminal `columns` wide, ending in a newline. */
export function proposalBlock(event: ProposalEvent, columns: number, style: Style): string {
  const time = seconds(event.endedAt - event.startedAt);
  const reported = event.usage ? ` · ${formatUsage(event.usage)}` : "";
  const skipped = event.attempts === 0;
  const outcome = skipped ? style.red("not called") : event.error ? style.red(`failed after ${time}`) : event.straggler ? style.yellow(`cut off after ${time}`) : `${time}${reported}`;
  const header = style.cyan(`┌ layer ${event.layer} · ${style.bold(event.id)} · `) + outcome;
  const body = skipped ? NOT_CALLED : event.error ? proposalError(event) : (event.text ?? "");
  const lines = wrapText(body === "" ? "(empty answer)" : body, columns - 4).map((line) => `${style.cyan("│")} ${style.dim(line)}`);
  return `${header}\n${lines.join("\n")}\n${style.cyan("└")}\n`;
}
