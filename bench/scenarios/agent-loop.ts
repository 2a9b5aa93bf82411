import { AIMessage, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { createAgent } from "langchain";
import { z } from "zod";
import { library } from "../library.js";
import type { RecordedRequest, ToolCallScript } from "../../test/support/protocol-server.js";
import { progress, startBench, type Size } from "../setup.js";
import { median, round } from "../stats.js";

const { MixtureOfAgents, getMoATrace } = library;

/** When the proposers run in the agent loop (the MoA's `proposeOn` option). */
export type ProposeOn = "every_call" | "user_turn";

/** One mode's agent run: medians over the runs (calls and tokens are the same in every run). */
export interface AgentLoopRow {
  mode: ProposeOn;
  /** Requests the server received: proposer and aggregator calls. */
  calls: number;
  proposerCalls: number;
  aggregatorCalls: number;
  /** Estimated tokens the server reported (see {@link estimatedUsage}), summed over the run's calls. */
  inputTokens: number;
  outputTokens: number;
  /** Model calls of the run's answers whose trace says `continued` (the proposers did not run). */
  continuedSteps: number;
  /** The model latencies on the run's longest chain of calls. */
  criticalPathMs: number;
  medianWallMs: number;
}

/** What the agent-loop benchmark measured. */
export interface AgentLoopResult {
  runs: number;
  toolSteps: number;
  proposers: number;
  modelLatencyMs: number;
  rows: AgentLoopRow[];
  /** user_turn / every_call. */
  ratio: { calls: number; inputTokens: number; outputTokens: number; wallMs: number };
  /** Whether the calls and tokens the answers' MoA traces add up to equal what the server counted, in every run. */
  tracesMatchServer: boolean;
}

const LATENCY_MS = 100;
const RUNS = 7;
const TOOL_STEPS = 3;
const PROPOSERS = 3;
const MODES: readonly ProposeOn[] = ["every_call", "user_turn"];

const QUESTION =
  "Our support team wants to answer customer questions with an ensemble of models. Look up what our internal notes say about latency, cost and answer quality, then recommend whether to use a mixture of agents.";

/** A proposer's advice: the same text on every call, of a realistic length (about 450 characters). */
const PROPOSAL =
  "Start by looking up the internal notes on latency, then on cost, then on answer quality, one topic per call, so that each result can be weighed on its own. " +
  "A mixture of agents usually improves answer quality on open questions, at the price of one extra model latency per layer and several times the tokens. " +
  "Recommend it for questions where quality matters more than speed, and keep a single model for short lookups.";

/** The aggregator's final answer (about 430 characters). */
const FINAL_ANSWER =
  "Recommendation: use a mixture of agents for the long, open customer questions and a single model for short lookups. " +
  "The notes say the ensemble adds about one model latency per layer and costs three to four times the tokens of one model, " +
  "and that its answers were rated better on open questions. Route by question type, measure the added latency in production, " +
  "and revisit the choice when the token budget changes.";

/** The topic of each tool step. */
const TOPICS = ["latency", "cost", "answer quality"];

const lookup = tool(async ({ topic }: { topic: string }) => `Internal note on ${topic}: see the team's benchmark page; figures were last updated this quarter.`, {
  name: "lookup_notes",
  description: "Looks up the team's internal notes on a topic.",
  schema: z.object({ topic: z.string().describe("The topic to look up") }),
});

const toolResults = (request: RecordedRequest): number => request.messages.filter((m) => m.role === "tool").length;

/** The aggregator's tool call: one lookup per step until the conversation holds TOOL_STEPS tool results. */
function aggregatorToolCalls(request: RecordedRequest): ToolCallScript[] | undefined {
  const done = toolResults(request);
  return done < TOOL_STEPS ? [{ name: "lookup_notes", args: { topic: TOPICS[done] ?? "other" } }] : undefined;
}

/**
 * An estimate of the tokens of a call, as ~4 characters per token: input, every message of the request
 * (its text and the tool calls it carries, as JSON) plus the tool definitions sent; output, the answer's
 * text plus its tool calls (name and arguments, as JSON).
 */
export function estimatedUsage(request: RecordedRequest, text: string): { input: number; output: number } {
  const messageChars = request.messages.reduce((sum, m) => sum + m.content.length + (m.toolCalls ? JSON.stringify(m.toolCalls).length : 0), 0);
  const toolChars = request.tools.length > 0 ? JSON.stringify((request.body as { tools?: unknown }).tools ?? []).length : 0;
  const calls = request.model === "aggregator" ? (aggregatorToolCalls(request) ?? []) : [];
  const callChars = calls.reduce((sum, call) => sum + call.name.length + JSON.stringify(call.args).length, 0);
  return { input: Math.ceil((messageChars + toolChars) / 4), output: Math.ceil((text.length + callChars) / 4) };
}

/**
 * An agent (LangChain's `createAgent`) with the MoA as its model and one tool: the aggregator calls the
 * tool three times (one call per step, until the conversation holds three tool results), then answers.
 * 3 proposers x 1 layer, every model answering after 100 ms. The agent runs once with each `proposeOn`,
 * interleaved (the order swapping every run) so that both modes see the same machine load; per run the
 * server's requests and the tokens it reported are counted, and the wall time measured. 7 runs per mode
 * (1 in a quick run).
 */
export async function agentLoop(size: Size): Promise<AgentLoopResult> {
  const tally = { input: 0, output: 0 };
  const usage = (request: RecordedRequest, text: string) => {
    const estimate = estimatedUsage(request, text);
    tally.input += estimate.input;
    tally.output += estimate.output;
    return estimate;
  };
  const proposerScript = { text: PROPOSAL, latencyMs: LATENCY_MS, usage };
  const proposerNames = Array.from({ length: PROPOSERS }, (_, i) => `proposer-${i + 1}`);
  const bench = await startBench({
    ...Object.fromEntries(proposerNames.map((name) => [name, proposerScript])),
    aggregator: {
      latencyMs: LATENCY_MS,
      toolCalls: aggregatorToolCalls,
      text: (request) => (toolResults(request) < TOOL_STEPS ? "" : FINAL_ANSWER),
      usage,
    },
  });
  const proposers = proposerNames.map((name) => bench.client(name));
  const aggregator = bench.client("aggregator");
  const agentWith = (proposeOn: ProposeOn) => createAgent({ model: new MixtureOfAgents({ proposers, aggregator, proposeOn }), tools: [lookup] });
  const agents = { every_call: agentWith("every_call"), user_turn: agentWith("user_turn") };

  let tracesMatchServer = true;
  /** One agent run: what the server saw and the wall time. */
  const runOnce = async (mode: ProposeOn) => {
    const before = bench.server.requests.length;
    tally.input = 0;
    tally.output = 0;
    const started = performance.now();
    const state: { messages: BaseMessage[] } = await agents[mode].invoke({ messages: [new HumanMessage(QUESTION)] });
    const wallMs = performance.now() - started;
    const requests = bench.server.requests.slice(before);
    const answers = state.messages.filter((m) => AIMessage.isInstance(m));
    const toolMessages = state.messages.filter((m) => m.getType() === "tool").length;
    if (toolMessages !== TOOL_STEPS || answers.at(-1)?.text !== FINAL_ANSWER) {
      throw new Error(`agent loop (${mode}): expected ${TOOL_STEPS} tool results and the final answer; got ${toolMessages} tool results and "${answers.at(-1)?.text.slice(0, 80)}"`);
    }
    const traces = answers.map((m) => getMoATrace(m));
    const traced = traces.reduce(
      (sum, trace) => ({ calls: sum.calls + (trace?.calls ?? 0), input: sum.input + (trace?.usage?.input_tokens ?? 0), output: sum.output + (trace?.usage?.output_tokens ?? 0) }),
      { calls: 0, input: 0, output: 0 },
    );
    if (traced.calls !== requests.length || traced.input !== tally.input || traced.output !== tally.output) tracesMatchServer = false;
    return {
      calls: requests.length,
      proposerCalls: requests.filter((r) => r.model !== "aggregator").length,
      aggregatorCalls: requests.filter((r) => r.model === "aggregator").length,
      inputTokens: tally.input,
      outputTokens: tally.output,
      continuedSteps: traces.filter((trace) => trace?.continued === true).length,
      wallMs,
    };
  };

  const samples: Record<ProposeOn, Array<Awaited<ReturnType<typeof runOnce>>>> = { every_call: [], user_turn: [] };
  const runs = size === "quick" ? 1 : RUNS;
  try {
    for (const mode of MODES) await runOnce(mode); // warm-up
    for (let run = 0; run < runs; run++) {
      for (const mode of run % 2 === 0 ? MODES : [...MODES].reverse()) samples[mode].push(await runOnce(mode));
      progress("agent loop", run + 1, runs);
    }
  } finally {
    await bench.close();
  }

  const steps = TOOL_STEPS + 1; // three tool calls, then the answer
  const rows = MODES.map((mode): AgentLoopRow => {
    const modeRuns = samples[mode];
    const med = (pick: (run: (typeof modeRuns)[number]) => number) => median(modeRuns.map(pick));
    return {
      mode,
      calls: med((r) => r.calls),
      proposerCalls: med((r) => r.proposerCalls),
      aggregatorCalls: med((r) => r.aggregatorCalls),
      inputTokens: med((r) => r.inputTokens),
      outputTokens: med((r) => r.outputTokens),
      continuedSteps: med((r) => r.continuedSteps),
      criticalPathMs: (mode === "every_call" ? steps * 2 : 2 + TOOL_STEPS) * LATENCY_MS,
      medianWallMs: round(med((r) => r.wallMs), 1),
    };
  });
  const [every, user] = rows as [AgentLoopRow, AgentLoopRow];
  if (user.continuedSteps !== TOOL_STEPS) {
    throw new Error(`agent loop: with proposeOn "user_turn" ${TOOL_STEPS} steps should continue without the proposers; ${user.continuedSteps} did`);
  }
  return {
    runs,
    toolSteps: TOOL_STEPS,
    proposers: PROPOSERS,
    modelLatencyMs: LATENCY_MS,
    rows,
    ratio: {
      calls: round(user.calls / every.calls, 3),
      inputTokens: round(user.inputTokens / every.inputTokens, 3),
      outputTokens: round(user.outputTokens / every.outputTokens, 3),
      wallMs: round(user.medianWallMs / every.medianWallMs, 3),
    },
    tracesMatchServer,
  };
}
