/**
 * The commands typed at the prompt: `/exit`, `/reset`, `/internal`, `/help`.
 */

/** A command, or `unknown` for any other line that starts with a slash. */
export type Command = "exit" | "reset" | "internal" | "help" | "unknown";

/** The help shown by `/help`. */
export const COMMANDS_HELP = [
  "/reset     start a new conversation (a new thread)",
  "/internal  show or hide every proposal, labelled by layer and model",
  "/help      this list",
  "/exit      quit (or Ctrl-D; Ctrl-C at the prompt)",
  "Ctrl-C while an answer is being written cancels it; the conversation stays as it was.",
].join("\n");

const NAMES: ReadonlySet<string> = new Set(["exit", "reset", "internal", "help"]);

/** The command `line` holds, or undefined when it is a message for the MoA. */
export function parseCommand(line: string): Command | undefined {
  const match = /^\/(\S+)\s*$/.exec(line.trim());
  if (!match) return undefined;
  const name = (match[1] ?? "").toLowerCase();
  if (name === "quit") return "exit";
  return NAMES.has(name) ? (name as Command) : "unknown";
}
