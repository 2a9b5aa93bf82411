/**
 * The baseline of the token-count benchmark: how requests were fitted before counting ran in slices,
 * kept here as it was (`src/models/token-count.ts`, `src/nodes/fit-call.ts`'s `fitCall` and
 * `src/prompts/fit-references.ts` of that version), so that both run side by side in one process.
 * Every text is counted in full, at once, with `js-tiktoken`'s encoder, once per call.
 */
import { ContextOverflowError } from "@langchain/core/errors";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { Tiktoken } from "js-tiktoken/lite";
import { FIT_SHARE } from "../../src/models/token-count.js";
import { cutMarker, type ReferenceCut } from "../../src/prompts/fit-references.js";

interface BaselineCounter {
  count(text: string): number;
  truncate(text: string, tokens: number): string;
}

/** Characters the baseline encoded, each time it did. */
export const baselineActivity = { encodedChars: 0 };

const PIECE_CHARS = 32;
const MESSAGE_FRAMING_TOKENS = 4;

let loading: Promise<BaselineCounter> | undefined;

/** The baseline counter, loaded on first use (`js-tiktoken`'s constructor, at once). */
export function baselineCounter(): Promise<BaselineCounter> {
  loading ??= load();
  return loading;
}

async function load(): Promise<BaselineCounter> {
  const [{ Tiktoken }, { default: ranks }] = await Promise.all([import("js-tiktoken/lite"), import("js-tiktoken/ranks/o200k_base")]);
  const encoding: Tiktoken = new Tiktoken(ranks);
  const encode = (piece: string) => {
    baselineActivity.encodedChars += piece.length;
    return encoding.encode(piece, [], []);
  };
  return {
    count: (text) => pieces(text).reduce((sum, piece) => sum + encode(piece).length, 0),
    truncate: (text, tokens) => {
      let kept = "";
      let left = Math.max(0, tokens);
      for (const piece of pieces(text)) {
        if (left === 0) break;
        const encoded = encode(piece);
        if (encoded.length <= left) {
          kept += piece;
          left -= encoded.length;
        } else {
          kept += encoding.decode(encoded.slice(0, left)).replace(/\uFFFD+$/u, "");
          left = 0;
        }
      }
      return kept;
    },
  };
}

function pieces(text: string): string[] {
  const result: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + PIECE_CHARS);
    if (end < text.length) {
      const space = text.slice(start, end).search(/\s\S*$/u);
      if (space > 0) end = start + space;
      else if (isLowSurrogate(text.charCodeAt(end))) end -= 1;
    }
    result.push(text.slice(start, end));
    start = end;
  }
  return result;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The baseline's `fitCall`: the same decisions, every count whole and at once. */
export async function baselineFitCall(limit: number | undefined, references: readonly string[], build: (references: readonly string[]) => BaseMessage[]): Promise<BaseMessage[]> {
  const messages = build(references);
  if (limit === undefined) return messages;
  const budget = Math.floor(limit * FIT_SHARE);
  if (messages.reduce((sum, message) => sum + Buffer.byteLength(sentText(message)) + MESSAGE_FRAMING_TOKENS, 0) <= budget) return messages;
  const counter = await baselineCounter();
  const tokens = requestTokens(messages, counter);
  if (tokens <= budget) return messages;
  const base = references.length === 0 ? tokens : requestTokens(build(references.map(() => "")), counter);
  if (base >= budget) throw new ContextOverflowError(`the request holds ${base} tokens, over ${budget}`);
  let room = budget - base;
  for (;;) {
    const fitted = build(shortenReferences(references, room, counter));
    const over = requestTokens(fitted, counter) - budget;
    if (over <= 0) return fitted;
    room -= over;
    if (room <= 0) throw new ContextOverflowError(`the references do not fit the ${budget - base} tokens left`);
  }
}

function requestTokens(messages: readonly BaseMessage[], counter: BaselineCounter): number {
  return messages.reduce((sum, message) => sum + counter.count(sentText(message)) + MESSAGE_FRAMING_TOKENS, 0);
}

function sentText(message: BaseMessage): string {
  const calls = AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
  return calls.length === 0 ? message.text : `${message.text}${JSON.stringify(calls.map(({ name, args }) => ({ name, args })))}`;
}

function shortenReferences(references: readonly string[], budget: number, counter: BaselineCounter): string[] {
  const tokens = references.map((text) => counter.count(text));
  const total = tokens.reduce((sum, n) => sum + n, 0);
  if (total <= budget) return [...references];
  const markerTokens = counter.count(`\n${cutMarker(total, total)}`);
  const share = Math.max(0, budget - markerTokens * references.length) / total;
  const cuts: ReferenceCut[] = tokens.map((n, reference) => ({ reference, tokens: n, keptTokens: Math.floor(n * share) }));
  return references.map((text, i) => {
    const { tokens: n, keptTokens } = cuts[i] as ReferenceCut;
    return `${counter.truncate(text, keptTokens).trimEnd()}\n${cutMarker(n - keptTokens, n)}`;
  });
}
