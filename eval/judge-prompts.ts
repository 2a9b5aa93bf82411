/**
 * MT-Bench's judge prompts (FastChat's `judge_prompts.jsonl`) and how a question, its reference and the
 * answers are put into them.
 */
import { readJsonl } from "./jsonl.js";
import { MT_BENCH_DIR, type EvalQuestion } from "./questions.js";

/** One judge prompt as the benchmark defines it. */
export interface JudgePromptTemplate {
  readonly name: string;
  readonly type: "single" | "pairwise";
  readonly systemPrompt: string;
  readonly promptTemplate: string;
}

/** A filled-in judge prompt, ready to send. */
export interface JudgePrompt {
  /** The template's name, e.g. `single-math-v1-multi-turn`. */
  readonly name: string;
  readonly system: string;
  readonly user: string;
}

/** The benchmark's judge prompts by name. */
export type JudgePromptSet = ReadonlyMap<string, JudgePromptTemplate>;

/** Loads `judge_prompts.jsonl`. */
export function loadJudgePrompts(path = `${MT_BENCH_DIR}/judge_prompts.jsonl`): JudgePromptSet {
  const prompts = new Map<string, JudgePromptTemplate>();
  for (const { value } of readJsonl(path)) {
    const record = value as { name: string; type: "single" | "pairwise"; system_prompt: string; prompt_template: string };
    prompts.set(record.name, { name: record.name, type: record.type, systemPrompt: record.system_prompt, promptTemplate: record.prompt_template });
  }
  return prompts;
}

/**
 * The single-answer grading prompt (a 1-10 rating) for `turn` (1-based) of `question`, answered with
 * `answers` (one per turn, at least up to `turn`). Turn 1 shows the question and the answer; a later turn
 * shows the conversation up to it and asks the judge to grade the last answer. With a reference answer
 * the judge grades against it.
 */
export function singleGradingPrompt(prompts: JudgePromptSet, question: EvalQuestion, turn: number, answers: readonly string[]): JudgePrompt {
  const name = `single${question.reference ? "-math" : ""}-v1${turn > 1 ? "-multi-turn" : ""}`;
  const values: Record<string, string> = { ...turnValues(question, turn), ...numbered("answer", answers, turn) };
  if (turn === 1 && answers[0] !== undefined) values.answer = answers[0];
  return fill(template(prompts, name), question.id, turn, values);
}

/**
 * The pairwise comparison prompt for `turn` of `question`: assistant A answered with `answersA`, assistant
 * B with `answersB`; the judge replies `[[A]]`, `[[B]]` or `[[C]]` (a tie).
 */
export function pairwiseComparisonPrompt(prompts: JudgePromptSet, question: EvalQuestion, turn: number, answersA: readonly string[], answersB: readonly string[]): JudgePrompt {
  const name = `pair-${question.reference ? "math-v1" : "v2"}${turn > 1 ? "-multi-turn" : ""}`;
  const values: Record<string, string> = { ...turnValues(question, turn), ...numbered("answer_a", answersA, turn), ...numbered("answer_b", answersB, turn) };
  if (turn === 1 && answersA[0] !== undefined && answersB[0] !== undefined) Object.assign(values, { answer_a: answersA[0], answer_b: answersB[0] });
  return fill(template(prompts, name), question.id, turn, values);
}

function template(prompts: JudgePromptSet, name: string): JudgePromptTemplate {
  const found = prompts.get(name);
  if (!found) throw new Error(`The judge prompts have no "${name}"; expected MT-Bench's judge_prompts.jsonl`);
  return found;
}

function turnValues(question: EvalQuestion, turn: number): Record<string, string> {
  const values = { ...numbered("question", question.turns, turn), ...(question.reference ? numbered("ref_answer", question.reference, turn) : {}) };
  return { ...values, ...(question.turns[0] !== undefined ? { question: question.turns[0] } : {}) };
}

/** `{prefix_1}` … `{prefix_upTo}`; a missing text is left out, so that filling the template reports it. */
function numbered(prefix: string, texts: readonly string[], upTo: number): Record<string, string> {
  return Object.fromEntries(texts.slice(0, upTo).map((text, i) => [`${prefix}_${i + 1}`, text]));
}

/**
 * Fills `{placeholders}` in one pass, so braces inside an answer are never read as placeholders. The
 * multi-turn templates show two turns; for a later turn the second turn's block is repeated for every
 * turn after the first, and the judge is told to focus on the last question.
 */
function fill(prompt: JudgePromptTemplate, questionId: string, turn: number, values: Readonly<Record<string, string>>): JudgePrompt {
  let user = prompt.promptTemplate;
  let system = prompt.systemPrompt;
  if (turn > 2) {
    user = user.replace(/### User:\n\{question_2\}\n\n### ([^\n]+):\n\{(\w+?)_2\}/g, (_, speaker: string, key: string) =>
      Array.from({ length: turn - 1 }, (__, i) => `### User:\n{question_${i + 2}}\n\n### ${speaker}:\n{${key}_${i + 2}}`).join("\n\n"));
    system = system.replace(/the second (user )?question/g, "the last $1question");
  }
  const filled = user.replace(/\{(\w+)\}/g, (placeholder, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`The judge prompt ${prompt.name} needs {${key}}, which question ${questionId} does not have`);
    return value;
  });
  return { name: prompt.name, system, user: filled };
}
