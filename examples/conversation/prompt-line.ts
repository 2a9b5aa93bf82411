/**
 * Reads one line at the prompt with line editing and history (Node's readline), telling a line apart
 * from Ctrl-D (end of input) and Ctrl-C. A new reader is made for every prompt and closed after it, so
 * that no key typed while a turn runs is echoed into the status lines.
 */
import { createInterface } from "node:readline";

/** What the user did at the prompt. */
export type PromptResult = { readonly kind: "line"; readonly text: string } | { readonly kind: "eof" } | { readonly kind: "interrupt" };

/**
 * Shows `prompt` and waits for a line. `history` (newest first) is offered to the arrow keys and
 * updated with the line entered.
 */
export function promptLine(prompt: string, history: string[]): Promise<PromptResult> {
  return new Promise((resolve) => {
    const rl = createInterface({
      input: process.stdin,
      output: process.stdout,
      terminal: true,
      prompt,
      history: [...history],
      historySize: 500,
      removeHistoryDuplicates: true,
    });
    let settled = false;
    const finish = (result: PromptResult) => {
      if (settled) return;
      settled = true;
      rl.close();
      resolve(result);
    };
    rl.on("history", (lines: string[]) => history.splice(0, history.length, ...lines));
    rl.on("line", (text) => finish({ kind: "line", text }));
    rl.on("SIGINT", () => finish({ kind: "interrupt" }));
    rl.on("close", () => finish({ kind: "eof" }));
    rl.prompt();
  });
}
