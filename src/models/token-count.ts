import { CountedTexts, sharedPieces, type CountProgress } from "./counted-texts.js";
import { atOnce, inSlices, sliceDue } from "./event-loop-slices.js";
import { loadO200k, type O200kEncoding } from "./o200k-encoding.js";
import { pieceEnd } from "./text-pieces.js";

/**
 * Counts and cuts text in tokens with OpenAI's `o200k_base` encoding (the GPT-4o and later models'),
 * from `js-tiktoken` with its ranks bundled, so nothing is downloaded. Exact for those models (up to a token
 * per 32 characters of text without spaces: text is encoded in pieces, see `text-pieces.ts`); for the others
 * (Llama, Qwen, Gemini, ...) an estimate, close for English prose and further off for some scripts and
 * emoji, which is why a request is fitted to {@link FIT_SHARE} of a model's input limit.
 *
 * The counts of texts of a few hundred characters and more are remembered (the most recent 16 M
 * characters' worth), so a conversation is counted once, not once per model call.
 */
export interface TokenCounter {
  /** The tokens of `text`, counted at once (the event loop held until done). */
  count(text: string): number;
  /** The first `tokens` tokens of `text`, as text (never ending in half a character), cut at once. */
  truncate(text: string, tokens: number): string;
  /**
   * The tokens of `text` when there are at most `atMost`; otherwise some number above `atMost` (the
   * count stops once past it). Counted in slices of the event loop (see `event-loop-slices.ts`).
   */
  countUpTo(text: string, atMost: number): Promise<number>;
  /** {@link truncate}, in slices of the event loop. */
  truncateInSlices(text: string, tokens: number): Promise<string>;
}

/** The share of a model's input limit a fitted request may fill: room for the counter's error and the messages' framing. */
export const FIT_SHARE = 0.9;

/** Pieces encoded between two looks at the clock. */
const PIECES_PER_CHECK = 4;

/** What the counter has done since the process started: what a test or a benchmark reads to see work repeated. */
export interface CountingActivity {
  /** Characters of text encoded (counted or cut), each time they were. */
  encodedChars: number;
}

const activity: CountingActivity = { encodedChars: 0 };

/** The counter's activity so far (a copy). */
export function countingActivity(): CountingActivity {
  return { ...activity };
}

let loading: Promise<TokenCounter> | undefined;

/** The `o200k_base` counter, loaded on first use (see {@link loadO200k}). */
export function tokenCounter(): Promise<TokenCounter> {
  loading ??= loadO200k().then(
    (encoding) => o200kCounter(encoding),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

function o200kCounter(encoding: O200kEncoding): TokenCounter {
  const counted = new CountedTexts();
  return {
    count(text) {
      const progress = counted.progressOf(text);
      atOnce(countSteps(encoding, progress, Infinity));
      return progress.tokens;
    },
    truncate: (text, tokens) => atOnce(truncateSteps(encoding, text, tokens)),
    async countUpTo(text, atMost) {
      const progress = counted.progressOf(text);
      if (progress.next < text.length && progress.tokens <= atMost) await inSlices(countSteps(encoding, progress, atMost));
      return progress.tokens;
    },
    truncateInSlices: (text, tokens) => inSlices(truncateSteps(encoding, text, tokens)),
  };
}

/** Counts `progress`'s text on from where it got, until it is whole or its tokens pass `atMost`; yields when a slice is due. */
function* countSteps(encoding: O200kEncoding, progress: CountProgress, atMost: number): Generator<void, void, void> {
  const { text } = progress;
  let pieces = 0;
  // Read from `progress` after each yield: another call may have counted on meanwhile.
  while (progress.next < text.length && progress.tokens <= atMost) {
    const start = progress.next;
    const end = pieceEnd(text, start);
    progress.tokens += encoding.count(text.slice(start, end));
    progress.next = end;
    if (sharedPieces(text, start)) {
      progress.sharedNext = end;
      progress.sharedTokens = progress.tokens;
    }
    activity.encodedChars += end - start;
    if (++pieces % PIECES_PER_CHECK === 0 && sliceDue()) yield;
  }
}

/** The first `tokens` tokens of `text`; yields when a slice is due. */
function* truncateSteps(encoding: O200kEncoding, text: string, tokens: number): Generator<void, string, void> {
  let left = Math.max(0, tokens);
  let kept = 0;
  let pieces = 0;
  while (kept < text.length && left > 0) {
    const end = pieceEnd(text, kept);
    const piece = text.slice(kept, end);
    activity.encodedChars += end - kept;
    const n = encoding.count(piece);
    if (n > left) return text.slice(0, kept) + encoding.truncate(piece, left);
    left -= n;
    kept = end;
    if (++pieces % PIECES_PER_CHECK === 0 && sliceDue()) yield;
  }
  return text.slice(0, kept);
}
