/** Checks of text as a terminal shows it: wrapped between words, never inside one, within the width. */

/** `value`'s words with one space between them: text as it reads, whatever its line breaks. */
const words = (value: string) => ` ${value.trim().split(/\s+/).join(" ")} `;

/**
 * True when `text` is on `screen` as it reads, its words in order with only spaces and line breaks
 * between them: a line broken inside a word (`OPENAI_BA` / `SE_URL`) does not count.
 */
export function showsWrapped(screen: string, text: string): boolean {
  return words(screen).includes(words(text));
}

/** The widest line of `screen`, in columns (one per code point). */
export function widestLine(screen: string): number {
  return Math.max(0, ...screen.split("\n").map((line) => [...line.trimEnd()].length));
}

/** How many times `text` occurs in `screen` as it reads (line breaks taken as spaces). */
export function occurrences(screen: string, text: string): number {
  return words(screen).split(text).length - 1;
}
