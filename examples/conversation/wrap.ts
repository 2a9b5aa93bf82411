/**
 * Word wrapping of plain text for the terminal: paragraphs and line breaks are kept, lines break between
 * words, and only a word longer than a whole line (a long URL) is split.
 */

/** The lines of `text` wrapped to at most `width` columns (at least 10). */
export function wrapText(text: string, width: number): string[] {
  const max = Math.max(10, width);
  return text.split("\n").flatMap((line) => wrapLine(line.replace(/\s+$/, ""), max));
}

/**
 * `text` wrapped to `width` columns behind prefixes: `first` on its first line, `rest` on every other
 * (by default as many spaces), e.g. a bullet and the indent that lines its text up. An infinite `width`
 * only adds the prefixes (for a pipe, where lines are not wrapped).
 */
export function wrapIndented(text: string, width: number, first: string, rest = " ".repeat([...first].length)): string[] {
  const room = Number.isFinite(width) ? Math.max(10, width - Math.max([...first].length, [...rest].length)) : Infinity;
  const lines = text.split("\n").flatMap((line) => (Number.isFinite(room) ? wrapLine(line.trim(), room) : [line.trim()]));
  return lines.map((line, i) => `${i === 0 ? first : rest}${line}`);
}

function wrapLine(line: string, width: number): string[] {
  if ([...line].length <= width) return [line];
  const indent = /^\s*/.exec(line)?.[0] ?? "";
  const lines: string[] = [];
  let current = "";
  for (const word of line.trim().split(/\s+/)) {
    for (const piece of splitLong(word, width - indent.length)) {
      const candidate = current === "" ? `${indent}${piece}` : `${current} ${piece}`;
      if ([...candidate].length <= width || current === "") {
        current = candidate;
      } else {
        lines.push(current);
        current = `${indent}${piece}`;
      }
    }
  }
  if (current !== "") lines.push(current);
  return lines;
}

function splitLong(word: string, width: number): string[] {
  const chars = [...word];
  const size = Math.max(1, width);
  if (chars.length <= size) return [word];
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
  return pieces;
}
