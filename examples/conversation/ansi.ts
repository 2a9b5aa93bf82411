/**
 * Terminal styling: colours that are switched off for pipes and `NO_COLOR`, cursor control, and widths
 * of text that holds escape sequences.
 */

/** Text styles; each returns its argument unchanged when colours are off. */
export interface Style {
  readonly enabled: boolean;
  dim(text: string): string;
  bold(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const ESC = String.fromCharCode(0x1b);
/** A CSI escape sequence (colours, cursor moves); built from a string because ESC is a control character. */
const CSI = `${ESC}\\[[0-9;?]*[A-Za-z]`;
const ESCAPES = new RegExp(CSI, "g");
const ESCAPE_PARTS = new RegExp(`(${CSI})`);

/** Colours on when `stream` is a terminal and neither `NO_COLOR` is set nor `TERM` is `dumb`. */
export function createStyle(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  const enabled = stream.isTTY === true && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb";
  const sgr = (open: number, close: number) => (text: string) => (enabled ? `\x1b[${open}m${text}\x1b[${close}m` : text);
  return { enabled, dim: sgr(2, 22), bold: sgr(1, 22), red: sgr(31, 39), green: sgr(32, 39), yellow: sgr(33, 39), cyan: sgr(36, 39) };
}

/** Cursor and erase sequences (CSI), for redrawing lines in place. */
export const cursor = {
  up: (lines: number) => (lines > 0 ? `\x1b[${lines}A` : ""),
  /** Carriage return, then erase from the cursor to the end of the screen. */
  clearBelow: "\r\x1b[J",
  hide: "\x1b[?25l",
  show: "\x1b[?25h",
} as const;

/** `text` without escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ESCAPES, "");
}

/** How many columns `text` takes (one per code point; escape sequences take none). */
export function visibleLength(text: string): number {
  return [...stripAnsi(text)].length;
}

/**
 * `text` cut to at most `width` visible columns, ending in `…` when cut; escape sequences are kept
 * (and styles reset after a cut), so a styled line never wraps.
 */
export function fitWidth(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let out = "";
  let used = 0;
  const reset = text.includes(`${ESC}[`) ? `${ESC}[0m` : "";
  for (const part of text.split(ESCAPE_PARTS)) {
    if (part.startsWith(`${ESC}[`)) {
      out += part;
      continue;
    }
    for (const char of part) {
      if (used >= width - 1) return `${out}…${reset}`;
      out += char;
      used += 1;
    }
  }
  return out;
}
