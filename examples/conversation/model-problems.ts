/**
 * Failures of several models, said once per cause: models that failed alike (three samples of one model,
 * three models on one server that is down) share one line, e.g.
 * `3 models (ollama:llama3.2, ollama:qwen2.5, ollama:mistral): cannot reach http://127.0.0.1:11434 (ECONNREFUSED); …`.
 */

/** One model and why it failed or cannot be used. */
export interface ModelProblem {
  /** The model's display name or proposer id (`openai:gpt-4o-mini#2` for a sample). */
  readonly model: string;
  readonly cause: string;
}

/** Models with one cause, in the order they were first named. */
export interface ProblemGroup {
  readonly models: readonly string[];
  readonly cause: string;
}

/** `problems` grouped by cause, in the order the causes first appear. */
export function groupProblems(problems: readonly ModelProblem[]): ProblemGroup[] {
  const groups = new Map<string, string[]>();
  for (const { model, cause } of problems) groups.set(cause, [...(groups.get(cause) ?? []), model]);
  return [...groups].map(([cause, models]) => ({ models, cause }));
}

/**
 * One group as one line: `openai:x: cause`, or `3 models (a, b, c): cause`; samples of one model are
 * counted (`openai:x ×3`). `verb` goes between the names and the cause, e.g. `failed`.
 */
export function groupLine(group: ProblemGroup, verb = ""): string {
  const names = countedNames(group.models);
  const who = names.length === 1 ? (names[0] ?? "") : `${names.length} models (${names.join(", ")})`;
  return `${who}${verb === "" ? "" : ` ${verb}`}: ${group.cause}`;
}

/**
 * The cause in a model's error `message`, without what is the model's own (its name in front, and the
 * library's `{ model: "…", baseURL: "…" }` hint), so that models failing alike read alike. A connection's
 * error `code` (`ECONNREFUSED`), when known, stands for the client's own words ("fetch failed").
 */
export function causeOf(message: string, model: string, code?: string): string {
  const label = model.replace(/#\d+$/, "");
  let cause = message.trim().replace(/^Invalid [\w.[\]]+: /, "");
  for (const name of [`model "${label}"`, model, label]) {
    if (cause.startsWith(name)) {
      cause = cause.slice(name.length).replace(/^\s*(\(provider [^)]*\))?\s*:?\s*/, "");
      break;
    }
  }
  cause = cause
    .replace(/,? or (give )?\{ model: "[^"]*", \w+: "…" \}/g, "")
    .replace(/^has no API key: /, "no API key: ");
  if (code !== undefined && /^(E[A-Z]+|UND_ERR_\w+)$/.test(code)) cause = cause.replace(/^(cannot reach \S+) \([^)]*\)/, `$1 (${code})`);
  return cause === "" ? message.trim() : cause;
}

/** Display names with repeats counted: `a#1, a#2, b` → `a ×2, b`. */
function countedNames(models: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const model of models) {
    const name = model.replace(/#\d+$/, "");
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name));
}
