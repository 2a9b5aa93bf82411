/**
 * Word wrapping of text that arrives in pieces (the streamed answer): a word is held back until it is
 * complete, then written on the current line or, when it would not fit, on the next one, indented.
 */

/** Wraps streamed text at word boundaries to `width` columns, continuation lines indented by `indent`. */
export class StreamWrapper {
  private column: number;
  private word = "";
  /** The line was just broken by the wrapper: spaces that follow are dropped. */
  private wrapped = false;

  /**
   * @param width - The terminal's width.
   * @param indent - Columns already used on the first line (the `moa> ` label), and the indent of the next ones.
   */
  constructor(
    private readonly width: number,
    private readonly indent: number,
  ) {
    this.column = indent;
  }

  /** The text to write for `piece`: complete words, spaces and line breaks; an unfinished word is held. */
  push(piece: string): string {
    let out = "";
    for (const char of piece) {
      if (char === "\n") {
        out += `${this.takeWord()}\n${" ".repeat(this.indent)}`;
        this.column = this.indent;
        this.wrapped = false;
      } else if (char === " " || char === "\t") {
        out += this.takeWord();
        if (this.wrapped) continue;
        if (this.column + 1 >= this.width) out += this.breakLine();
        else {
          out += char;
          this.column += 1;
        }
      } else {
        this.word += char;
        if ([...this.word].length >= this.width - this.indent) out += this.takeWord();
      }
    }
    return out;
  }

  /** The word still held back. */
  flush(): string {
    return this.takeWord();
  }

  private takeWord(): string {
    if (this.word === "") return "";
    const word = this.word;
    const length = [...word].length;
    this.word = "";
    const prefix = this.column + length > this.width && this.column > this.indent ? this.breakLine() : "";
    this.column += length;
    this.wrapped = false;
    return prefix + word;
  }

  private breakLine(): string {
    this.column = this.indent;
    this.wrapped = true;
    return `\n${" ".repeat(this.indent)}`;
  }
}
