/**
 * The questions an evaluation asks: MT-Bench's 80 two-turn questions with their reference answers, or the
 * user's own JSONL file.
 */
import { fileURLToPath } from "node:url";
import { readJsonl } from "./jsonl.js";
import { UsageError } from "../tools/usage-error.js";

/** One conversation to answer: a user message per turn, each answered before the next is asked. */
export interface EvalQuestion {
  /** Unique within the question set. */
  readonly id: string;
  /** Scores are also reported per category. */
  readonly category: string;
  /** The user's message of each turn (one or more). */
  readonly turns: readonly string[];
  /** A reference answer per turn: the judge then grades against it (MT-Bench's math, reasoning, coding). */
  readonly reference?: readonly string[];
}

/** The folder of the MT-Bench data shipped with the evaluation (see its SOURCE.md). */
export const MT_BENCH_DIR = fileURLToPath(new URL("./data/mt-bench/", import.meta.url));

/** MT-Bench's categories that are graded against a reference answer (as in FastChat's `NEED_REF_CATS`). */
export const REFERENCE_CATEGORIES: ReadonlySet<string> = new Set(["math", "reasoning", "coding"]);

/** MT-Bench's questions, with the GPT-4 reference answers attached to the math, reasoning and coding ones. */
export function loadMtBench(dir = MT_BENCH_DIR): EvalQuestion[] {
  const references = new Map<string, string[]>();
  for (const { value } of readJsonl(`${dir}/reference_answer_gpt-4.jsonl`)) {
    const record = value as { question_id: number; choices: Array<{ turns: string[] }> };
    const turns = record.choices[0]?.turns;
    if (turns) references.set(String(record.question_id), turns);
  }
  return readJsonl(`${dir}/question.jsonl`).map(({ value }) => {
    const record = value as { question_id: number; category: string; turns: string[] };
    const id = String(record.question_id);
    const reference = REFERENCE_CATEGORIES.has(record.category) ? references.get(id) : undefined;
    return { id, category: record.category, turns: record.turns, ...(reference ? { reference } : {}) };
  });
}

/**
 * The user's questions: JSONL, one object a line, e.g.
 * `{"id": "refund-1", "category": "support", "turns": ["How do I ...?", "And if ...?"], "reference": ["...", "..."]}`.
 * `turns` is required; `id` (or MT-Bench's `question_id`) defaults to the question's position (1, 2, …),
 * `category` to `"general"`; `reference`, when given, holds one answer per turn (`""` for none). Throws an {@link UsageError} naming
 * the line and the field for anything else.
 */
export function loadQuestionFile(path: string): EvalQuestion[] {
  const seen = new Set<string>();
  const questions = readJsonl(path).map(({ line, value }, index) => {
    const where = `${path}:${line}`;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UsageError(`${where}: expected an object such as {"turns": ["your question"]}; got ${JSON.stringify(value)}`);
    }
    const record = value as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) => !QUESTION_KEYS.has(key));
    if (unknown.length > 0) throw new UsageError(`${where}: unknown field(s) ${unknown.join(", ")}; valid fields: ${[...QUESTION_KEYS].join(", ")}`);
    const turns = record.turns;
    if (!isTextList(turns) || turns.length === 0) {
      throw new UsageError(`${where}: "turns" must be a non-empty array of non-empty strings, one user message per turn`);
    }
    const rawId = record.id ?? record.question_id ?? index + 1;
    if ((typeof rawId !== "string" && typeof rawId !== "number") || String(rawId).trim() === "") throw new UsageError(`${where}: "id" must be a non-empty string or a number`);
    const id = String(rawId);
    if (seen.has(id)) throw new UsageError(`${where}: the id "${id}" is used twice; ids must be unique`);
    seen.add(id);
    const category = "category" in record ? record.category : "general";
    if (typeof category !== "string" || category.trim() === "") throw new UsageError(`${where}: "category" must be a non-empty string`);
    const reference = readReference(record.reference, turns.length, where);
    return { id, category, turns, ...(reference ? { reference } : {}) };
  });
  if (questions.length === 0) throw new UsageError(`${path} holds no questions; write one JSON object a line, e.g. {"turns": ["your question"]}`);
  return questions;
}

/**
 * The per-turn reference answers: one entry per turn, `""` or null for a turn without one (as in
 * FastChat's files). Undefined when no turn has one.
 */
function readReference(value: unknown, turns: number, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length !== turns) {
    throw new UsageError(`${where}: "reference" must be an array with one answer per turn (${turns}), "" for a turn without one`);
  }
  const bad = value.findIndex((entry) => entry !== null && typeof entry !== "string");
  if (bad >= 0) throw new UsageError(`${where}: "reference[${bad}]" must be a string (or "" / null for no reference); got ${JSON.stringify(value[bad])}`);
  const texts = value.map((entry: string | null) => entry ?? "");
  return texts.some((text) => text.trim() !== "") ? texts : undefined;
}

const QUESTION_KEYS: ReadonlySet<string> = new Set(["id", "question_id", "category", "turns", "reference"]);

function isTextList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string" && item.trim() !== "");
}
