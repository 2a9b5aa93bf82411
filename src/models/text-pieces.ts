/**
 * Text is encoded in pieces of at most this many characters, cut before whitespace where there is some
 * (the encoding itself splits words there, a word keeping the space before it): byte-pair encoding takes
 * time that grows with the square of a run without spaces (an answer stuck repeating one character or
 * emoji), and pieces bound it. A cut inside a run may count a token more than the model's tokenizer does.
 */
export const PIECE_CHARS = 32;

/**
 * Where the piece of `text` that starts at `start` ends: {@link PIECE_CHARS} characters on, or before the
 * last whitespace within them (unless it opens the piece), and never inside a surrogate pair.
 */
export function pieceEnd(text: string, start: number): number {
  const end = start + PIECE_CHARS;
  if (end >= text.length) return text.length;
  for (let i = end - 1; i > start; i--) {
    if (isWhitespace(text.charCodeAt(i))) return i;
  }
  return isLowSurrogate(text.charCodeAt(end)) ? end - 1 : end;
}

/** What `\s` matches: every whitespace and line terminator of JavaScript (all in the BMP). */
function isWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0xa0) return false;
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
