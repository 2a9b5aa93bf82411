/**
 * What the terminal shows at the start: the MoA's shape, where its models came from, the thread id and
 * how to resume it, and on a resumed thread its last exchange.
 */
import type { BaseMessage } from "@langchain/core/messages";
import type { Style } from "./ansi.js";
import type { MoAShape } from "./terminal-turn-view.js";
import { wrapText } from "./wrap.js";

/** What the banner describes. */
export interface BannerFacts extends MoAShape {
  readonly source: string;
  /** Aggregators tried after the first one fails. */
  readonly fallbacks: readonly string[];
  readonly threadId: string;
  readonly db?: string;
  readonly system?: string;
  /** A resumed thread's last exchange ({@link resumedHistory}), shown before the hint. */
  readonly resumed?: string;
}

/** The lines shown before the first prompt, wrapped to `columns`. */
export function banner(facts: BannerFacts, columns: number, style: Style): string {
  const calls = facts.proposerIds.length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const heading = `Mixture-of-Agents · ${plural(calls, "proposer")} × ${plural(facts.layers, "layer")} · answer by ${facts.aggregator}`;
  const details = [
    `  proposers: ${facts.proposerIds.join(", ")}`,
    ...(facts.fallbacks.length > 0 ? [`  if ${facts.aggregator} fails: ${facts.fallbacks.join(", then ")}`] : []),
    `  models from ${facts.source}${facts.system ? ` · system prompt: ${facts.system}` : ""}`,
    `  thread ${facts.threadId}${facts.db ? `, kept in ${facts.db}` : " (in memory)"}`,
    ...(facts.db ? [`  continue it later with: --db ${facts.db} --resume ${facts.threadId}`] : []),
  ];
  const wrap = (line: string) => wrapText(line, columns - 1);
  const hint = style.dim("Type a message and press Enter · /help for commands · Ctrl-D to quit");
  return `${[...wrap(heading).map(style.bold), ...details.flatMap(wrap).map(style.dim)].join("\n")}\n${facts.resumed ?? ""}${hint}\n`;
}

/** A resumed thread's size and its last exchange, each message cut to a few wrapped lines. */
export function resumedHistory(messages: readonly BaseMessage[], columns: number, style: Style): string {
  const turns = messages.filter((m) => m.getType() === "human").length;
  const last = messages.filter((m) => m.getType() !== "system").slice(-2);
  const shown = last.map((m) => {
    const who = m.getType() === "human" ? "you>" : "moa>";
    const lines = wrapText(m.text, columns - 6);
    const cut = lines.length > 4 ? [...lines.slice(0, 4), "…"] : lines;
    return style.dim(`  ${who} ${cut.join("\n       ")}`);
  });
  return `${style.dim(`Resumed: ${turns} earlier question${turns === 1 ? "" : "s"}; the last exchange was:`)}\n${shown.join("\n")}\n`;
}
