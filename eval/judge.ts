/**
 * Asking the judge: one benchmark prompt, its verdict read from the reply. A reply without a readable
 * verdict is asked again, and after the last attempt recorded as unreadable, never guessed.
 */
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import type { ModelInput } from "../src/index.js";
import { isChatModel } from "../src/models/validate-spec.js";
import type { JudgePrompt } from "./judge-prompts.js";
import type { AnswerCost, AnswerFunction } from "./model-answer.js";
import { singleModel, type SharedCallOptions } from "./single-model.js";
import { stableHash } from "./stable-hash.js";
import { identity } from "./systems.js";

/** The judge model. */
export interface Judge {
  /** Identifies the judge's settings in the cache. */
  readonly id: string;
  readonly label: string;
  readonly answer: AnswerFunction;
}

/** How MT-Bench asks its judge (FastChat's `temperature=0`, `max_tokens=2048`). */
const MT_BENCH_JUDGE_SETTINGS = { temperature: 0, maxTokens: 2048 };

/** A verdict with what it took to get it. */
export interface JudgeOutcome<V> {
  readonly verdict: V | null;
  readonly unreadableReply?: string;
  readonly attempts: number;
  readonly cost: AnswerCost;
}

/**
 * The judge from a model string or spec. As in MT-Bench, it answers at temperature 0 with up to 2048
 * tokens unless the spec says otherwise.
 */
export function createJudge(model: ModelInput, shared: SharedCallOptions = {}): Judge {
  // An instance is configured by whoever created it.
  const withDefaults = isChatModel(model) ? model : { ...MT_BENCH_JUDGE_SETTINGS, ...(typeof model === "string" ? { model } : model) };
  const { label, answer } = singleModel(withDefaults, shared);
  return { id: `judge-${stableHash(identity(withDefaults))}`, label, answer };
}

/** How a verdict is read from a reply, and what the judge is told when its reply had none. */
export interface VerdictFormat<V> {
  readonly parse: (reply: string) => V | undefined;
  readonly reminder: string;
}

/**
 * Asks `judge` with `prompt` up to `attempts` times until a verdict can be read from the reply. A retry
 * shows the judge its unreadable reply and reminds it of the format (asking the same at temperature 0
 * would mostly repeat it).
 */
export async function askJudge<V>(judge: Judge, prompt: JudgePrompt, format: VerdictFormat<V>, attempts: number, signal: AbortSignal): Promise<JudgeOutcome<V>> {
  const base = [new SystemMessage(prompt.system), new HumanMessage(prompt.user)];
  let cost: AnswerCost = { calls: 0, inputTokens: 0, outputTokens: 0, wallMs: 0 };
  let reply = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const messages = attempt === 1 ? base : [...base, new AIMessage(reply), new HumanMessage(format.reminder)];
    const answer = await judge.answer(messages, signal);
    cost = addCosts(cost, answer);
    reply = answer.text;
    const verdict = format.parse(reply);
    if (verdict !== undefined) return { verdict, attempts: attempt, cost };
  }
  return { verdict: null, unreadableReply: reply, attempts, cost };
}

/** The sum of two costs; tokens are null when either is unknown; details and money count as far as they are known. */
export function addCosts(a: AnswerCost, b: AnswerCost): AnswerCost {
  const add = (x: number | null, y: number | null) => (x === null || y === null ? null : x + y);
  // Details count as far as they were reported: absent on both sides stays absent.
  const addDetail = (x: number | undefined, y: number | undefined) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  const cachedTokens = addDetail(a.cachedTokens, b.cachedTokens);
  const reasoningTokens = addDetail(a.reasoningTokens, b.reasoningTokens);
  const cost = addDetail(a.cost, b.cost);
  const costMissing = addDetail(a.costMissing, b.costMissing);
  return {
    calls: a.calls + b.calls,
    inputTokens: add(a.inputTokens, b.inputTokens),
    outputTokens: add(a.outputTokens, b.outputTokens),
    ...(cachedTokens !== undefined ? { cachedTokens } : {}),
    ...(reasoningTokens !== undefined ? { reasoningTokens } : {}),
    wallMs: a.wallMs + b.wallMs,
    ...(cost !== undefined ? { cost } : {}),
    ...(costMissing !== undefined ? { costMissing } : {}),
  };
}
