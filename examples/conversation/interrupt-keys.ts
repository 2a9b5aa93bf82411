/**
 * Ctrl-C while a turn runs: the terminal is put in raw mode (no echo, Ctrl-C arrives as a key rather
 * than a signal) and each Ctrl-C is reported; other keys are dropped.
 */

const CTRL_C = "\u0003";

/** The input of the terminal. */
export interface TerminalInput {
  setRawMode(raw: boolean): unknown;
  on(event: "data", listener: (data: Buffer | string) => void): unknown;
  off(event: "data", listener: (data: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

/** Calls `onInterrupt` for every Ctrl-C typed until the returned function is called. */
export function watchInterrupts(input: TerminalInput, onInterrupt: () => void): () => void {
  const onData = (data: Buffer | string) => {
    if (data.toString().includes(CTRL_C)) onInterrupt();
  };
  input.setRawMode(true);
  input.on("data", onData);
  input.resume();
  return () => {
    input.off("data", onData);
    input.setRawMode(false);
    input.pause();
  };
}
