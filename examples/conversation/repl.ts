/**
 * The interactive conversation in a terminal: a prompt with history, the commands, and turns shown live.
 * Ctrl-C during a turn cancels it (a second one quits); Ctrl-C or Ctrl-D at the prompt quits.
 */
import { cursor, type Style } from "./ansi.js";
import { COMMANDS_HELP, parseCommand, type Command } from "./commands.js";
import type { Conversation } from "./conversation.js";
import { watchInterrupts } from "./interrupt-keys.js";
import { promptLine } from "./prompt-line.js";
import { runTurn } from "./run-turn.js";
import { TerminalTurnView, type MoAShape } from "./terminal-turn-view.js";

/** What the loop works with. */
export interface ReplContext {
  readonly conversation: Conversation;
  readonly shape: MoAShape;
  readonly style: Style;
  /** The SQLite file of the conversation, if any (for the resume hint after /reset). */
  readonly db?: string;
  /** Whether proposals are shown; `/internal` toggles it. */
  showInternal: boolean;
}

/** Exit code of a process ended by a second Ctrl-C. */
const INTERRUPTED = 130;

/** Runs the conversation until /exit, Ctrl-D or Ctrl-C at the prompt; resolves with the exit code. */
export async function runRepl(context: ReplContext): Promise<number> {
  // However the process ends (a second Ctrl-C exits at once), the cursor hidden during a turn comes back.
  process.once("exit", () => process.stdout.write(cursor.show));
  const history: string[] = [];
  const prompt = `${context.style.bold(context.style.cyan("you>"))} `;
  for (;;) {
    const input = await promptLine(prompt, history);
    if (input.kind !== "line") {
      process.stdout.write("\n");
      return 0;
    }
    const line = input.text.trim();
    if (line === "") continue;
    const command = parseCommand(line);
    if (command === "exit") return 0;
    if (command) runCommand(command, line, context);
    else await terminalTurn(line, context);
  }
}

async function terminalTurn(line: string, context: ReplContext): Promise<void> {
  const controller = new AbortController();
  const interrupt = () => {
    if (controller.signal.aborted) process.exit(INTERRUPTED);
    controller.abort(new Error("Cancelled with Ctrl-C"));
  };
  const view = new TerminalTurnView(process.stdout, context.style, context.shape, context.showInternal);
  const unwatch = watchInterrupts(process.stdin, interrupt);
  process.on("SIGINT", interrupt);
  try {
    view.start();
    view.end(await runTurn(context.conversation, line, controller.signal, view));
  } finally {
    process.off("SIGINT", interrupt);
    unwatch();
  }
}

function runCommand(command: Exclude<Command, "exit">, line: string, context: ReplContext): void {
  const { style } = context;
  const say = (text: string) => process.stdout.write(`${style.dim(text)}\n`);
  if (command === "reset") {
    const id = context.conversation.reset();
    say(`New conversation: thread ${id}${context.db ? ` (continue it later with --db ${context.db} --resume ${id})` : ""}`);
  } else if (command === "internal") {
    context.showInternal = !context.showInternal;
    say(context.showInternal ? "Proposals will be shown, labelled by layer and model." : "Proposals are hidden.");
  } else if (command === "help") {
    say(COMMANDS_HELP);
  } else {
    say(`Unknown command ${line}. /help lists the commands.`);
  }
}
