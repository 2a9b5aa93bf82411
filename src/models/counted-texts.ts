import { PIECE_CHARS } from "./text-pieces.js";

/**
 * How far the count of one text has got: its tokens up to character `next` (the end of a piece), and
 * the last point up to which any text that starts with this one is counted the same.
 */
export interface CountProgress {
  readonly text: string;
  /** Where the next piece starts; `text.length` once the count is whole. */
  next: number;
  /** The tokens of `text` before `next`. */
  tokens: number;
  /** The end of the last piece that a longer text starting with this one has too (see {@link sharedPieces}). */
  sharedNext: number;
  /** The tokens of `text` before `sharedNext`. */
  sharedTokens: number;
}

/**
 * Whether the piece of `text` that starts at `start` is a piece of every text that starts with `text`:
 * where a piece ends depends on the {@link PIECE_CHARS} characters after its start and the one after those.
 */
export function sharedPieces(text: string, start: number): boolean {
  return start + PIECE_CHARS < text.length;
}

/** Texts shorter than this many characters are counted afresh each time (in microseconds). */
const MIN_REMEMBERED_CHARS = 256;
/** Texts from this many characters on are looked for at the start of new texts, whose count goes on from theirs. */
const MIN_PREFIX_CHARS = 4096;
/** The most characters of text whose counts are remembered at once (the texts themselves are held). */
const MAX_REMEMBERED_CHARS = 1 << 24;

/**
 * The counts of texts, whole or as far as they got, the most recently used kept: a conversation's
 * messages are counted once, not once per model call of every turn; a count stopped at one budget goes
 * on from there for a larger one; and a text that starts with a long text counted before (the user's
 * message with the references appended) is counted from where that one's count can be shared.
 */
export class CountedTexts {
  private readonly progress = new Map<string, CountProgress>();
  /** The remembered texts of {@link MIN_PREFIX_CHARS} and more. */
  private readonly long = new Set<string>();
  private chars = 0;

  /** The progress of `text`'s count: remembered, or new (from the longest remembered start of it, if any). */
  progressOf(text: string): CountProgress {
    if (text.length < MIN_REMEMBERED_CHARS || text.length > MAX_REMEMBERED_CHARS) return fresh(text, undefined);
    const known = this.progress.get(text);
    if (known !== undefined) {
      this.progress.delete(text);
      this.progress.set(text, known);
      return known;
    }
    const progress = fresh(text, text.length > MIN_PREFIX_CHARS ? this.longestStart(text) : undefined);
    this.remember(progress);
    return progress;
  }

  /** The remembered text that `text` starts with and whose count it can take the furthest. */
  private longestStart(text: string): CountProgress | undefined {
    let best: CountProgress | undefined;
    for (const known of this.long) {
      if (known.length >= text.length || !text.startsWith(known)) continue;
      const progress = this.progress.get(known);
      if (progress !== undefined && progress.sharedNext > (best?.sharedNext ?? 0)) best = progress;
    }
    return best;
  }

  private remember(progress: CountProgress): void {
    const { text } = progress;
    this.progress.set(text, progress);
    if (text.length >= MIN_PREFIX_CHARS) this.long.add(text);
    this.chars += text.length;
    for (const oldest of this.progress.keys()) {
      if (this.chars <= MAX_REMEMBERED_CHARS) break;
      this.progress.delete(oldest);
      this.long.delete(oldest);
      this.chars -= oldest.length;
    }
  }
}

function fresh(text: string, start: CountProgress | undefined): CountProgress {
  const next = start?.sharedNext ?? 0;
  const tokens = start?.sharedTokens ?? 0;
  return { text, next, tokens, sharedNext: next, sharedTokens: tokens };
}
