/**
 * Run as a child process by the thread soak (thread-soak.ts): a process serving MoA turns on PostgreSQL
 * threads that other such processes serve too. It prints `ready`, reads its jobs as one JSON line on
 * stdin (`{ jobs: [{ thread, question }], concurrency, failRate, abortRate, overlapRate }`), and runs them
 * `concurrency` at a time. A job may be made to fail (a proposer answering HTTP 400), be aborted, or be
 * sent twice at once (the copy's question ends in `+again<n>`); a job refused as busy is queued again.
 * Every turn's start and outcome is printed as a JSON line `{ event, thread, question, at }`.
 *
 *   node --import tsx soak-worker.ts <postgres url> <model server url>
 */
import { createInterface } from "node:readline";
import { HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { MoAThreadBusyError, createMixtureOfAgents } from "../../src/index.js";

/** What a soak worker is asked to do. */
export interface SoakJobs {
  jobs: Array<{ thread: string; question: string }>;
  concurrency: number;
  failRate: number;
  abortRate: number;
  overlapRate: number;
}

/** One outcome, as printed. */
export interface SoakEvent {
  event: "started" | "answered" | "failed" | "aborted" | "busy";
  thread: string;
  question: string;
  /** When the outcome was known, in ms since the epoch. */
  at: number;
}

const [url, serverUrl] = process.argv.slice(2) as [string, string];
const model = (name: string) => ({ model: `openai:${name}`, apiKey: "sk-test-key", baseURL: `${serverUrl}/v1` });
const checkpointer = PostgresSaver.fromConnString(url);
const graphOf = (proposer: string) => createMixtureOfAgents({ proposers: [model(proposer), model("p2")], aggregator: model("agg"), minProposals: 2, retry: false, checkpointer });
const healthy = graphOf("p1");
const failing = graphOf("down");

function report(event: SoakEvent["event"], thread: string, question: string): void {
  console.log(JSON.stringify({ event, thread, question, at: Date.now() } satisfies SoakEvent));
}

/** One turn; resolves whether it was refused as busy (to be queued again). */
async function turn(thread: string, question: string, settings: SoakJobs): Promise<boolean> {
  const fails = Math.random() < settings.failRate;
  const aborts = !fails && Math.random() < settings.abortRate;
  const signal = aborts ? AbortSignal.timeout(Math.round(5 + Math.random() * 30)) : undefined;
  report("started", thread, question);
  try {
    await (fails ? failing : healthy).invoke({ messages: [new HumanMessage(question)] }, { configurable: { thread_id: thread }, ...(signal ? { signal } : {}) });
    report("answered", thread, question);
  } catch (error) {
    if (MoAThreadBusyError.isInstance(error)) {
      report("busy", thread, question);
      return true;
    }
    report(aborts ? "aborted" : "failed", thread, question);
    if (!aborts && !fails) throw error;
  }
  return false;
}

console.log("ready");
const [line] = await createInterface({ input: process.stdin })[Symbol.asyncIterator]().next().then((r) => [r.value as string]);
const settings = JSON.parse(line ?? "{}") as SoakJobs;
const queue = [...settings.jobs];
let copies = 0;
await Promise.all(
  Array.from({ length: settings.concurrency }, async () => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      const { thread, question } = job;
      const overlap = Math.random() < settings.overlapRate ? turn(thread, `${question}+again${++copies}`, { ...settings, failRate: 0, abortRate: 0 }) : Promise.resolve(false);
      const [busy] = await Promise.all([turn(thread, question, settings), overlap]);
      if (busy) {
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
        queue.push(job);
      }
    }
  }),
);
await checkpointer.end();
process.exit(0);
