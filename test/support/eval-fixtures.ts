/**
 * A scripted evaluation: four questions, two proposers and an aggregator on the OpenAI and Ollama test
 * servers, and a judge on the Gemini test server whose verdicts come from the tables below, so that a
 * test knows every rating, verdict and token the report must show.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { MixtureOfAgentsOptions } from "../../src/index.js";
import { startGeminiServer } from "./gemini-server.js";
import { startOllamaServer } from "./ollama-server.js";
import { startOpenAIServer } from "./openai-server.js";
import type { ProtocolServer, RecordedRequest } from "./protocol-server.js";

/** The questions: `Qn.t` marks question n, turn t, so scripted models and the judge know what they answer. */
export const QUESTIONS = [
  { id: "q1", category: "writing", turns: ["Q1.1 Write a haiku.", "Q1.2 Now make it rhyme."] },
  { id: "q2", category: "writing", turns: ["Q2.1 Draft an email.", "Q2.2 Shorten it."] },
  { id: "q3", category: "math", turns: ["Q3.1 What is 2+2?", "Q3.2 And times 3?"], reference: ["R3.1 four", "R3.2 twelve"] },
  { id: "q4", category: "math", turns: ["Q4.1 What is 10/4?"], reference: ["R4.1 2.5"] },
];

/** The judge's 1-10 rating of each system's answer to each turn; null: the judge never gives a readable verdict. */
export const RATINGS: Record<"moa" | "alpha" | "beta", Record<string, number | null>> = {
  moa: { "1.1": 8, "1.2": 7, "2.1": 9, "2.2": 8, "3.1": 6, "3.2": 7, "4.1": 5 },
  alpha: { "1.1": 6, "1.2": 5, "2.1": 7, "2.2": 6, "3.1": 4, "3.2": 5, "4.1": 3 },
  beta: { "1.1": 5, "1.2": 5, "2.1": 5, "2.2": null, "3.1": 5, "3.2": 5, "4.1": 5 },
};

/** Ratings of answers to questions without a `Qn.t` marker (such as MT-Bench's). */
export const UNMARKED_RATINGS: Record<"moa" | "alpha" | "beta", number> = { moa: 8, alpha: 6, beta: 5 };

/** The judge's first reply to alpha's turn 2.1 has no verdict; the second has one. */
export const UNREADABLE_ONCE = { system: "alpha", turn: "2.1" };

/** Who the judge prefers, per turn, in the MoA-vs-alpha comparison; `first` prefers whoever is shown first. */
export const PREFERENCES: Record<string, "moa" | "alpha" | "tie" | "first"> = {
  "1.1": "moa", "1.2": "moa", "2.1": "tie", "2.2": "first", "3.1": "alpha", "3.2": "moa", "4.1": "moa",
};

/** Tokens each model reports per call. */
export const USAGE = { alpha: { input: 20, output: 4 }, beta: { input: 30, output: 6 }, mixer: { input: 50, output: 8 }, judge: { input: 100, output: 10 } };

/** The servers of the scripted evaluation. */
export interface EvalServers {
  readonly openai: ProtocolServer;
  readonly ollama: ProtocolServer;
  readonly gemini: ProtocolServer;
  /** The MoA options pointing at the servers. */
  readonly moa: MixtureOfAgentsOptions;
  /** The judge spec pointing at the Gemini server. */
  readonly judge: { model: string; apiKey: string; baseUrl: string };
  readonly all: readonly ProtocolServer[];
  /** Makes the judge reply unreadably once more to {@link UNREADABLE_ONCE} (it does so once per prompt). */
  forgetJudgeReplies(): void;
  /**
   * Makes the judge reply `reply` (its whole text) when it rates `system`'s answer to `turn` (e.g. `2.2`),
   * instead of what {@link RATINGS} says; undefined goes back to the table.
   */
  judgeReplies(system: keyof typeof RATINGS, turn: string, reply: string | undefined): void;
  close(): Promise<void>;
}

/** Starts the three servers with the scripted proposers, aggregator and judge. */
export async function startEvalServers(options: { latencyMs?: number } = {}): Promise<EvalServers> {
  const latencyMs = options.latencyMs ?? 0;
  const answerer = (tag: string) => (request: RecordedRequest) => `<<${tag}>> answer to ${marker(request.messages.filter((m) => m.role === "user").at(-1)?.content ?? "")}`;
  const seen = new Set<string>();
  const replies = new Map<string, string>();
  const [openai, ollama, gemini] = await Promise.all([
    startOpenAIServer({
      models: {
        alpha: { text: answerer("alpha"), usage: USAGE.alpha, latencyMs },
        mixer: { text: answerer("moa"), usage: USAGE.mixer, latencyMs },
      },
    }),
    startOllamaServer({ models: { beta: { text: answerer("beta"), usage: USAGE.beta, latencyMs } } }),
    startGeminiServer({ models: { "judge-pro": { text: (request) => judgeReply(request, seen, replies), usage: USAGE.judge, latencyMs } } }),
  ]);
  return {
    openai, ollama, gemini,
    all: [openai, ollama, gemini],
    moa: {
      proposers: [
        { model: "openai:alpha", apiKey: "sk-eval-test-openai", baseURL: `${openai.url}/v1` },
        { model: "ollama:beta", baseUrl: ollama.url },
      ],
      aggregator: { model: "openai:mixer", apiKey: "sk-eval-test-openai", baseURL: `${openai.url}/v1` },
      retry: false,
    },
    judge: { model: "google-genai:judge-pro", apiKey: "gemini-eval-test-key", baseUrl: gemini.url },
    forgetJudgeReplies: () => seen.clear(),
    judgeReplies(system, turn, reply) {
      if (reply === undefined) replies.delete(`${system} ${turn}`);
      else replies.set(`${system} ${turn}`, reply);
    },
    async close() {
      await Promise.all([openai, ollama, gemini].map((server) => server.close()));
    },
  };
}

/** Writes {@link QUESTIONS} as a JSONL question file into `dir` and returns its path. */
export function writeQuestionFile(dir: string): string {
  const path = join(dir, "questions.jsonl");
  writeFileSync(path, QUESTIONS.map((question) => JSON.stringify(question)).join("\n") + "\n");
  return path;
}

/** `1.2` from `Q1.2 ...`. */
function marker(text: string): string {
  return /Q(\d+\.\d+)/.exec(text)?.[1] ?? "?";
}

/** The graded answers' tags and markers, in the order they appear in the prompt. */
function taggedAnswers(prompt: string): Array<{ system: string; turn: string }> {
  return [...prompt.matchAll(/<<(\w+)>> answer to (\d+\.\d+|\?)/g)].map((match) => ({ system: match[1] ?? "", turn: match[2] ?? "" }));
}

function judgeReply(request: RecordedRequest, seen: Set<string>, replies: ReadonlyMap<string, string>): string {
  // A retry repeats the judge prompt (system + user) and adds the unreadable reply and a reminder.
  const prompt = request.messages.slice(0, 2).map((message) => message.content).join("\n");
  const retry = request.messages.length > 2;
  const answers = taggedAnswers(prompt);
  const last = answers.at(-1);
  const first = answers[0];
  if (!last || !first) return "I see no answer to judge.";
  if (prompt.includes("[[rating]]")) {
    const system = last.system as keyof typeof RATINGS;
    const scripted = replies.get(`${last.system} ${last.turn}`);
    if (scripted !== undefined) return scripted;
    const rating = last.turn === "?" ? UNMARKED_RATINGS[system] : RATINGS[system]?.[last.turn];
    if (last.system === UNREADABLE_ONCE.system && last.turn === UNREADABLE_ONCE.turn && !retry && !seen.has(prompt)) {
      seen.add(prompt);
      return "The answer is fine. Rating: good";
    }
    return rating === null || rating === undefined ? "I cannot decide on this one." : `The answer is clear and correct enough. Rating: [[${rating}]]`;
  }
  const preference = PREFERENCES[last.turn] ?? "moa";
  const verdict = preference === "tie" ? "C" : preference === "first" ? "A" : first.system === preference ? "A" : "B";
  return `Having compared both answers, my final verdict: [[${verdict}]]`;
}
