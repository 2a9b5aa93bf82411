import { HumanMessage } from "@langchain/core/messages";
import type { MixtureOfAgentsOptions } from "../../src/index.js";
import { library } from "../library.js";
import type { RecordedRequest } from "../../test/support/protocol-server.js";
import { lastUserQuestion } from "../../test/support/user-question.js";
import { progress, startBench, type Size } from "../setup.js";
import { round } from "../stats.js";

const { createMixtureOfAgents } = library;

/** One way of answering the scripted set: its calls and tokens over the whole set. */
export interface AgreementRow {
  mode: string;
  /** Model calls over the set (the server's requests; the traces count the same). */
  calls: number;
  inputTokens: number;
  outputTokens: number;
  /** Turns that stopped early (`trace.earlyExit`). */
  earlyExits: number;
  /** Against the full mixture: calls, and input plus output tokens. */
  callsRatio: number;
  tokensRatio: number;
}

/** What the agreement benchmark measured. */
export interface AgreementResult {
  questions: number;
  /** Questions whose proposals are the same answer (closed questions). */
  unanimous: number;
  proposers: number;
  layers: number;
  rows: AgreementRow[];
  /** Whether the traces' calls and tokens add up to what the server counted, in every mode. */
  tracesMatchServer: boolean;
}

const PROPOSERS = 3;
const LAYERS = 2;

/** Closed questions, which every proposer answers alike (in words of its own casing and punctuation). */
const CLOSED: Record<string, string> = {
  "What is 17 times 3?": "51",
  "Which planet is closest to the Sun?": "Mercury",
  "What is the chemical symbol of gold?": "Au",
  "In which year did the Berlin Wall fall?": "1989",
  "What is the capital of Australia?": "Canberra",
  "How many sides does a hexagon have?": "6",
};

/** Open questions, which the proposers answer each in their own way. */
const OPEN = [
  "How should a small team choose between a monolith and microservices?",
  "What makes a code review useful?",
  "How would you explain recursion to a new programmer?",
  "What are the trade-offs of caching API responses?",
  "How should a library report errors to its users?",
  "What should a good README contain?",
];

/** A proposer's answer: the closed question's answer, styled by proposer; an open one's, its own paragraph. */
function proposerAnswer(request: RecordedRequest): string {
  const question = lastUserQuestion(request);
  const closed = CLOSED[question];
  const style = Number(request.model.split("-").at(-1)) % 3;
  if (closed !== undefined) return [`${closed}.`, `**${closed}**`, closed.toLowerCase()][style] as string;
  return `${request.model} on "${question}": ` + "it depends on the team's size, its deadlines and what it already runs; start simple, measure, and change course when the numbers say so. ".repeat(3);
}

/** The aggregator's answer: a synthesis of about 60 words. */
function aggregatorAnswer(request: RecordedRequest): string {
  return `On "${lastUserQuestion(request)}": ` + "the candidates agree on the essentials; the best answer keeps what is correct in each, fixes what is not, and says it plainly. ".repeat(2);
}

/**
 * A scripted set of 12 questions, half of them closed (every proposer gives the same answer, up to case
 * and punctuation) and half open (every proposer answers differently), answered by a MoA of 3 proposers
 * x 2 layers: as the full mixture, with `earlyExit`, with `earlyExit` and `skipAggregator`, and by a vote
 * (one layer, no aggregator, as "More Agents Is All You Need" does). The server counts every request and
 * its tokens (`usage: "counted"`). Calls and tokens only: scripted answers say nothing of quality.
 * The set runs once (its figures are counts, not timings); a quick run takes 4 questions.
 */
export async function agreement(size: Size): Promise<AgreementResult> {
  const closed = Object.keys(CLOSED);
  const questions = size === "quick" ? [...closed.slice(0, 2), ...OPEN.slice(0, 2)] : [...closed, ...OPEN];
  const names = Array.from({ length: PROPOSERS }, (_, i) => `proposer-${i + 1}`);
  const bench = await startBench({
    ...Object.fromEntries(names.map((name) => [name, { text: proposerAnswer, usage: "counted" as const }])),
    aggregator: { text: aggregatorAnswer, usage: "counted" },
  });
  const proposers = names.map((name) => bench.client(name));
  const aggregator = bench.client("aggregator");
  const modes: Array<[string, MixtureOfAgentsOptions]> = [
    ["full mixture", { proposers, aggregator, layers: LAYERS }],
    ["`earlyExit`", { proposers, aggregator, layers: LAYERS, earlyExit: true }],
    ["`earlyExit` + `skipAggregator`", { proposers, aggregator, layers: LAYERS, earlyExit: { skipAggregator: true } }],
    ['`aggregation: "vote"` (1 layer)', { proposers, aggregation: "vote" }],
  ];
  let tracesMatchServer = true;
  const measured: Array<Omit<AgreementRow, "callsRatio" | "tokensRatio">> = [];
  try {
    for (const [mode, options] of modes) {
      const graph = createMixtureOfAgents(options);
      const before = bench.server.requests.length;
      const total = { calls: 0, inputTokens: 0, outputTokens: 0, earlyExits: 0 };
      for (const question of questions) {
        const { trace } = await graph.invoke({ messages: [new HumanMessage(question)] });
        total.calls += trace.calls;
        total.inputTokens += trace.usage?.input_tokens ?? 0;
        total.outputTokens += trace.usage?.output_tokens ?? 0;
        if (trace.earlyExit) total.earlyExits += 1;
      }
      if (bench.server.requests.length - before !== total.calls) tracesMatchServer = false;
      measured.push({ mode, ...total });
      progress("agreement", measured.length, modes.length);
    }
  } finally {
    await bench.close();
  }
  const full = measured[0] as (typeof measured)[number];
  const tokens = (row: (typeof measured)[number]) => row.inputTokens + row.outputTokens;
  return {
    questions: questions.length,
    unanimous: questions.filter((q) => CLOSED[q] !== undefined).length,
    proposers: PROPOSERS,
    layers: LAYERS,
    rows: measured.map((row) => ({ ...row, callsRatio: round(row.calls / full.calls, 3), tokensRatio: round(tokens(row) / tokens(full), 3) })),
    tracesMatchServer,
  };
}
