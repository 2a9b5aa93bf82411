/**
 * The conversation fed by a pipe or a file: one question per line, each answer on stdout (streamed, then
 * a newline), no colours, status lines or prompts. Failed proposers (each cause once a turn, after its
 * layer) and failed turns go to stderr; the exit code is 1 when a turn failed. The commands work as in
 * the terminal.
 */
import { createInterface } from "node:readline";
import { formatProposal, type ProposalEvent } from "../../src/index.js";
import { COMMANDS_HELP, parseCommand } from "./commands.js";
import type { Conversation } from "./conversation.js";
import { LayerFailures } from "./layer-failures.js";
import { groupLine } from "./model-problems.js";
import { runTurn } from "./run-turn.js";
import { describeTurnFailure, failureLines } from "./turn-failure.js";
import { wrapIndented } from "./wrap.js";

/** Exit code after SIGINT. */
const INTERRUPTED = 130;

/** Answers every line of stdin; resolves with the exit code. */
export async function runPiped(conversation: Conversation, showInternalAtStart: boolean): Promise<number> {
  let showInternal = showInternalAtStart;
  let status = 0;
  const note = (text: string) => process.stderr.write(`${text}\n`);
  // Wrapped when a person reads stderr on a terminal; whole lines for a file or a pipe.
  const width = process.stderr.isTTY ? (process.stderr.columns ?? 80) - 1 : Infinity;
  const controller = new AbortController();
  const lines = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
  const interrupt = () => {
    controller.abort(new Error("Interrupted"));
    lines.close();
  };
  process.on("SIGINT", interrupt);
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === "") continue;
      const command = parseCommand(line);
      if (command === "exit") break;
      if (command === "reset") note(`moa: new conversation: thread ${conversation.reset()}`);
      else if (command === "internal") showInternal = !showInternal;
      else if (command === "help") note(COMMANDS_HELP);
      else if (command === "unknown") note(`moa: unknown command ${line}`);
      if (command) continue;

      let written = false;
      const failures = new LayerFailures((layer, groups) => {
        for (const group of groups) for (const text of wrapIndented(`layer ${layer}: ${groupLine(group, "failed")}`, width, "moa: ")) note(text);
      });
      const outcome = await runTurn(conversation, line, controller.signal, {
        proposal: (event: ProposalEvent) => {
          if (showInternal) note(formatProposal(event));
          else failures.add(event);
        },
        token: (text) => {
          if (!written) failures.flush();
          written = true;
          process.stdout.write(text);
        },
      });
      if (outcome.kind === "answered") process.stdout.write(`${written ? "" : outcome.text}\n`);
      else if (written) process.stdout.write("\n");
      if (outcome.kind === "cancelled") return INTERRUPTED;
      if (outcome.kind === "failed") {
        status = 1;
        const failure = describeTurnFailure(outcome.error);
        failures.flush(failure.layer);
        for (const text of failureLines(failure, width, "moa: the turn failed: ", "moa:   ", (problem) => failures.said(problem))) note(text);
      } else {
        failures.flush();
      }
    }
    return controller.signal.aborted ? INTERRUPTED : status;
  } finally {
    process.off("SIGINT", interrupt);
    lines.close();
  }
}
