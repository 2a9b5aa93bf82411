import { execFile } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { promisify } from "node:util";
import { ContextOverflowError } from "@langchain/core/errors";
import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { createMixtureOfAgents, ProposersFailedError } from "../../src/index.js";
import { countingActivity, tokenCounter } from "../../src/models/token-count.js";
import { fitCall } from "../../src/nodes/fit-call.js";
import { DEFAULT_AGGREGATOR_PROMPT } from "../../src/prompts/aggregator-prompt.js";
import { formatReferences } from "../../src/prompts/format-references.js";
import { withReferences } from "../../src/prompts/place-references.js";
import { base64, prose } from "../../tools/sample-texts.js";
import { startModelServerProcess } from "../server-process.js";
import { progress, type Size } from "../setup.js";
import { cpuMs, median, round } from "../stats.js";
import { baselineActivity, baselineCounter, baselineFitCall } from "./token-count-baseline.js";

/** One way of fitting a turn's requests, measured over one turn. */
export interface TurnFigures {
  /** The first turn with the message (the process has not counted it before), ms. */
  firstMs: number;
  /** The median of the later turns with the same conversation (new message objects, as a checkpoint gives them), ms. */
  nextMs: number;
  /** The process's CPU time in the first turn, ms. */
  firstCpuMs: number;
  /** The process's CPU time in a later turn (the median), ms. */
  nextCpuMs: number;
  /** The longest the event loop was held in any of the turns, ms. */
  maxBlockMs: number;
  /** Characters encoded in the first turn. */
  firstEncodedChars: number;
  /** Characters encoded in a later turn (the median). */
  nextEncodedChars: number;
}

/** One message and one input limit: the baseline's fitting and this library's, side by side. */
export interface TokenCountRow {
  text: TextKind;
  /** The message's tokens (`o200k_base`, as the library counts them). */
  messageTokens: number;
  /** The model's input limit, tokens. */
  limit: number;
  /** Whether the proposers' requests were refused (`ContextOverflowError`) or fitted (and the aggregator's after them). */
  outcome: "refused" | "fitted";
  baseline: TurnFigures;
  current: TurnFigures;
  /** `current.firstMs / baseline.firstMs`. */
  firstRatio: number;
  /** `current.nextMs / baseline.nextMs`. */
  nextRatio: number;
}

/** Loading a counter in a fresh process: the medians over the runs, ms. */
export interface LoadFigures {
  loadMs: number;
  maxBlockMs: number;
}

/** A whole turn of the library (3 proposers x 1 layer + aggregator) against the bench model server. */
export interface TokenCountTurnRow {
  /** The user's message: `short` is one sentence, for comparison. */
  text: TextKind | "short";
  limit: number;
  outcome: "refused" | "answered";
  firstMs: number;
  nextMs: number;
  maxBlockMs: number;
}

/** The token-count benchmark's results. */
export interface TokenCountResult {
  quick: boolean;
  /** The message's characters. */
  messageChars: number;
  proposers: number;
  /** Turns per implementation and row (the first and the later ones). */
  turns: number;
  rows: TokenCountRow[];
  /** Loading the counter: the baseline's encoder and this library's, each in fresh processes (not in a quick run). */
  load?: { baseline: LoadFigures; current: LoadFigures; runs: number };
  endToEnd: TokenCountTurnRow[];
}

type TextKind = "prose" | "base64";
type Fit = (limit: number, references: readonly string[], build: (references: readonly string[]) => BaseMessage[]) => Promise<unknown>;

const PROPOSERS = 3;
/** The proposers' answers, as the aggregator's references. */
const ANSWERS = ["The first proposer's answer, a few lines long.", "The second proposer's answer.", "The third proposer's answer, which disagrees."];

/** Quick runs scale the message and both limits down alike (1/64). */
const SIZES: Record<Size, { chars: number; limits: [number, number]; turns: number; loadRuns: number }> = {
  full: { chars: 1 << 20, limits: [128_000, 1_047_576], turns: 3, loadRuns: 3 },
  quick: { chars: 1 << 14, limits: [2_000, 16_384], turns: 2, loadRuns: 0 },
};

/**
 * The fitting of a turn with one long user message (1 MiB of prose or of base64) against a model's
 * known input limit, this library's against the baseline (the fitting as it was, kept in
 * `token-count-baseline.ts`), turn by turn in alternation; the one-time load of each counter, each in
 * fresh processes; and whole turns of the library over loopback HTTP.
 */
export async function tokenCount(size: Size): Promise<TokenCountResult> {
  const { chars, limits, turns, loadRuns } = SIZES[size];
  const load = loadRuns > 0 ? await loadFigures(loadRuns) : undefined;
  await tokenCounter();
  await baselineCounter();
  // Warm up both (the JIT), on texts of their own.
  for (const fit of [fitCall, baselineFitCall] as Fit[]) {
    for (const text of [prose(chars / 16, 1), base64(chars / 16, 1)]) await fittingTurn(fit, limits[1] / 16, text);
  }
  const rows: TokenCountRow[] = [];
  const cases = (["prose", "base64"] as const).flatMap((text) => limits.map((limit) => ({ text, limit })));
  for (const [i, { text, limit }] of cases.entries()) {
    rows.push(await compare(text, limit, textOf(text, chars, 100 + i), turns));
    progress("token-count (fitting)", i + 1, cases.length);
  }
  const endToEnd = await wholeTurns(chars, limits);
  return { quick: size === "quick", messageChars: chars, proposers: PROPOSERS, turns, rows, ...(load ? { load } : {}), endToEnd };
}

/** The baseline's and this library's fitting of `turns` turns with `message`, in alternation. */
async function compare(text: TextKind, limit: number, message: string, turns: number): Promise<TokenCountRow> {
  const runs = {
    baseline: { fit: baselineFitCall as Fit, encoded: () => baselineActivity.encodedChars, turns: [] as Measured[] },
    current: { fit: fitCall as Fit, encoded: () => countingActivity().encodedChars, turns: [] as Measured[] },
  };
  for (let turn = 0; turn < turns; turn++) {
    const order = turn % 2 === 0 ? (["baseline", "current"] as const) : (["current", "baseline"] as const);
    for (const name of order) {
      const run = runs[name];
      run.turns.push(await measured(() => fittingTurn(run.fit, limit, message), run.encoded));
    }
  }
  const outcomes = new Set([...runs.baseline.turns, ...runs.current.turns].map((turn) => turn.outcome));
  if (outcomes.size !== 1) throw new Error(`The baseline and this library fitted the ${text} message differently at ${limit} tokens: ${[...outcomes].join(", ")}`);
  const baseline = figures(runs.baseline.turns);
  const current = figures(runs.current.turns);
  return {
    text,
    messageTokens: (await tokenCounter()).count(message),
    limit,
    outcome: runs.current.turns[0]?.outcome ?? "refused",
    baseline,
    current,
    firstRatio: round(current.firstMs / baseline.firstMs, 4),
    nextRatio: round(current.nextMs / baseline.nextMs, 4),
  };
}

interface Measured {
  ms: number;
  cpuMs: number;
  maxBlockMs: number;
  encoded: number;
  outcome: "refused" | "fitted";
}

/** `turn`, timed, with the longest block of the event loop while it ran and the characters encoded. */
async function measured(turn: () => Promise<"refused" | "fitted">, encoded: () => number): Promise<Measured> {
  const before = encoded();
  const { ms, cpuMs, maxBlockMs, outcome } = await measuredTurn(turn);
  return { ms, cpuMs, maxBlockMs, encoded: encoded() - before, outcome };
}

function figures(turns: readonly Measured[]): TurnFigures {
  const [first, ...next] = turns;
  if (first === undefined) throw new Error("no turn measured");
  const later = next.length > 0 ? next : [first];
  return {
    firstMs: round(first.ms, 1),
    nextMs: round(median(later.map((turn) => turn.ms)), 1),
    firstCpuMs: round(first.cpuMs, 1),
    nextCpuMs: round(median(later.map((turn) => turn.cpuMs)), 1),
    maxBlockMs: round(Math.max(...turns.map((turn) => turn.maxBlockMs)), 1),
    firstEncodedChars: first.encoded,
    nextEncodedChars: median(later.map((turn) => turn.encoded)),
  };
}

/**
 * The fitting of one turn as the library does it: the proposers' requests at once (the conversation
 * as it is), then, unless all were refused, the aggregator's (the references appended to the user's
 * message, the default placement).
 */
async function fittingTurn(fit: Fit, limit: number, message: string): Promise<"refused" | "fitted"> {
  const conversation = [new HumanMessage(message)];
  const build = (references: readonly string[]) =>
    withReferences(conversation, references.length === 0 ? {} : { references: formatReferences({ instruction: DEFAULT_AGGREGATOR_PROMPT, references, target: "aggregate" }) }, "last_message");
  const layer = await Promise.allSettled(Array.from({ length: PROPOSERS }, () => fit(limit, [], build)));
  for (const call of layer) if (call.status === "rejected" && !ContextOverflowError.isInstance(call.reason)) throw call.reason;
  if (layer.every((call) => call.status === "rejected")) return "refused";
  await fit(limit, ANSWERS, build);
  return "fitted";
}

/** Each counter loaded in fresh processes, in turn; the medians. */
async function loadFigures(runs: number): Promise<TokenCountResult["load"]> {
  const samples: Record<"baseline" | "current", LoadFigures[]> = { baseline: [], current: [] };
  for (let run = 0; run < runs; run++) {
    for (const which of run % 2 === 0 ? (["baseline", "current"] as const) : (["current", "baseline"] as const)) {
      const script = new URL("token-count-load.ts", import.meta.url).pathname;
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script, which]);
      samples[which].push(JSON.parse(stdout) as LoadFigures);
    }
  }
  const medians = (list: LoadFigures[]): LoadFigures => ({ loadMs: round(median(list.map((s) => s.loadMs)), 1), maxBlockMs: round(median(list.map((s) => s.maxBlockMs)), 1) });
  return { baseline: medians(samples.baseline), current: medians(samples.current), runs };
}

/** Whole turns of the library with each message and limit, and with a short message, against the bench model server (in a process of its own). */
async function wholeTurns(chars: number, limits: readonly number[]): Promise<TokenCountTurnRow[]> {
  const server = await startModelServerProcess();
  const rows: TokenCountTurnRow[] = [];
  try {
    const model = (limit: number) => ({
      model: new ChatOpenAI({ model: "instant", apiKey: "sk-bench", configuration: { baseURL: `${server.url}/v1` }, maxRetries: 0 }),
      maxInputTokens: limit,
    });
    const short = "What are the trade-offs of a mixture of agents?";
    const mixture = (limit: number) => createMixtureOfAgents({ proposers: Array.from({ length: PROPOSERS }, () => model(limit)), aggregator: model(limit) });
    // A turn first, so that what a process does once (loading modules, compiling) is not in the figures.
    await mixture(limits[0] as number).invoke({ messages: [new HumanMessage(short)] });
    const cases = [{ text: "short" as const, limit: limits[0] as number }, ...(["prose", "base64"] as const).flatMap((text) => limits.map((limit) => ({ text, limit })))];
    for (const [i, { text, limit }] of cases.entries()) {
      const graph = mixture(limit);
      const message = text === "short" ? short : textOf(text, chars, 200 + i);
      const turn = async (): Promise<"refused" | "answered"> => {
        try {
          await graph.invoke({ messages: [new HumanMessage(message)] });
          return "answered";
        } catch (error) {
          if (ProposersFailedError.isInstance(error) && error.failures.every((failure) => failure.kind === "context_overflow")) return "refused";
          throw error;
        }
      };
      const first = await measuredTurn(turn);
      const next = await measuredTurn(turn);
      rows.push({ text, limit, outcome: first.outcome, firstMs: round(first.ms, 1), nextMs: round(next.ms, 1), maxBlockMs: round(Math.max(first.maxBlockMs, next.maxBlockMs), 1) });
      progress("token-count (whole turns)", i + 1, cases.length);
    }
  } finally {
    await server.close();
  }
  return rows;
}

/** `turn`, timed (wall and the process's CPU), with the longest block of the event loop while it ran (ms). */
async function measuredTurn<T>(turn: () => Promise<T>): Promise<{ ms: number; cpuMs: number; maxBlockMs: number; outcome: T }> {
  globalThis.gc?.();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // The monitor measures from its first tick on: a block before it would go unseen.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const started = performance.now();
  const cpuBefore = cpuMs();
  const outcome = await turn();
  const ms = performance.now() - started;
  const cpu = cpuMs() - cpuBefore;
  // And a tick after the turn, so that a block at its very end is seen.
  await new Promise((resolve) => setTimeout(resolve, 5));
  delay.disable();
  return { ms, cpuMs: cpu, maxBlockMs: delay.max / 1e6, outcome };
}

function textOf(kind: TextKind, chars: number, seed: number): string {
  return kind === "prose" ? prose(chars, seed) : base64(chars, seed);
}

