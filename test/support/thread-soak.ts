/**
 * The thread soak: several Node processes (soak-worker.ts) serve MoA turns on the same PostgreSQL threads
 * at once, with failing turns, aborted turns, overlapping turns and, optionally, one process killed with
 * SIGKILL halfway and replaced. Afterwards each thread is read back and compared with what the processes
 * reported: every answered turn must be on its thread exactly once, in the order answered, and nothing
 * else. Used by the integration test and by the benchmark report.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BaseMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { createMixtureOfAgents } from "../../src/index.js";
import { startOpenAIServer } from "./openai-server.js";
import { startPostgres } from "./postgres-server.js";
import type { SoakEvent, SoakJobs } from "./soak-worker.js";

/** The shape of a soak run. */
export interface SoakOptions {
  threads: number;
  turnsPerThread: number;
  /** Serving processes at once. */
  workers: number;
  /** Turns each process runs at once. */
  concurrency: number;
  /** Share of turns made to fail, to be aborted, and to be sent twice at once. */
  failRate: number;
  abortRate: number;
  overlapRate: number;
  /** Kill the last process with SIGKILL once it has ended this share of its jobs, and start another for the rest. */
  killOneAfter?: number;
  /** Called as jobs end. */
  onProgress?: (ended: number, total: number) => void;
}

/** What a soak run did, and what the threads hold afterwards. */
export interface SoakResult {
  threads: number;
  turnsPerThread: number;
  workers: number;
  /** Turns run (not refused as busy): each job's, the overlapping copies that ran, and those cut by the kill. */
  attempted: number;
  answered: number;
  failed: number;
  aborted: number;
  /** Turns refused with MoAThreadBusyError (the job was queued again, or was an overlapping copy). */
  busy: number;
  /** Turns in flight in the process that was killed. */
  killedInFlight: number;
  /**
   * Of those, turns whose answer reached the thread before the process died, though it never reported
   * them: complete exchanges (the question and its answer), which the thread rightly keeps.
   */
  unacknowledged: number;
  /** Answered turns missing from their thread. */
  lost: number;
  /** Questions on a thread that no process reported answered (a failed, aborted or killed turn kept). */
  ghosts: number;
  /** Answered turns on their thread more than once. */
  duplicated: number;
  /** Threads whose turns are all there but in another order than answered. */
  outOfOrder: number;
  /** Threads left with nodes pending. */
  pending: number;
  durationMs: number;
  /** What was wrong on each thread that was: its id, what the processes answered, what it holds. */
  anomalies: Array<{ thread: string; answered: string[]; holds: string[]; events: SoakEvent[]; history: string[] }>;
}

const workerScript = fileURLToPath(new URL("./soak-worker.ts", import.meta.url));
const random = (low: number, high: number) => () => low + Math.random() * (high - low);

interface Worker {
  child: ChildProcessWithoutNullStreams;
  events: SoakEvent[];
  stderr: string;
  exited: Promise<number | null>;
  ready: Promise<void>;
}

function startWorker(databaseUrl: string, modelsUrl: string, onEvent: () => void): Worker {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript, databaseUrl, modelsUrl], { stdio: ["pipe", "pipe", "pipe"] });
  const worker: Worker = { child, events: [], stderr: "", exited: new Promise((resolve) => child.once("exit", resolve)), ready: Promise.resolve() };
  let buffered = "";
  worker.ready = new Promise((resolve, reject) => {
    child.stdout.on("data", (data: Buffer) => {
      buffered += data.toString();
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        if (line === "ready") resolve();
        else if (line.startsWith("{")) {
          worker.events.push(JSON.parse(line) as SoakEvent);
          onEvent();
        }
      }
    });
    void worker.exited.then((code) => reject(new Error(`soak worker exited (${code}) before it was ready:\n${worker.stderr}`)));
  });
  child.stderr.on("data", (data: Buffer) => (worker.stderr += data.toString()));
  return worker;
}

const ENDED = new Set(["answered", "failed", "aborted"]);

/** The outcomes of `worker`'s jobs that ended (answered, failed or aborted), not of their overlapping copies. */
function endedJobEvents(worker: Worker): SoakEvent[] {
  return worker.events.filter((e) => ENDED.has(e.event) && !e.question.includes("+again"));
}

/** Runs a soak; see {@link SoakOptions}. @throws Error when a process fails for a reason the soak did not cause. */
export async function runThreadSoak(options: SoakOptions): Promise<SoakResult> {
  const startedAt = Date.now();
  const [postgres, models] = await Promise.all([
    startPostgres(),
    startOpenAIServer({
      models: { p1: { latencyMs: random(2, 25) }, p2: { latencyMs: random(2, 25) }, agg: { latencyMs: random(2, 25) }, down: { fault: { kind: "status", status: 400 } } },
    }),
  ]);
  const workers: Worker[] = [];
  try {
    const setup = PostgresSaver.fromConnString(postgres.url);
    await setup.setup();
    await setup.end();

    const threadIds = Array.from({ length: options.threads }, (_, i) => `soak-${i}`);
    const jobs = Array.from({ length: options.turnsPerThread }, (_, k) => threadIds.map((thread) => ({ thread, question: `${thread}#${k}` }))).flat();
    const share = (w: number) => jobs.filter((_, i) => i % options.workers === w);
    const total = jobs.length;
    const endedJobs = () => workers.reduce((sum, w) => sum + endedJobEvents(w).length, 0);
    const progress = () => options.onProgress?.(endedJobs(), total);
    const settings = { concurrency: options.concurrency, failRate: options.failRate, abortRate: options.abortRate, overlapRate: options.overlapRate };

    const first = Array.from({ length: options.workers }, () => startWorker(postgres.url, models.url, progress));
    workers.push(...first);
    await Promise.all(first.map((w) => w.ready));
    first.forEach((w, i) => w.child.stdin.write(`${JSON.stringify({ jobs: share(i), ...settings } satisfies SoakJobs)}\n`));

    let killedQuestions: string[] = [];
    if (options.killOneAfter !== undefined) {
      const victim = first.at(-1)!;
      const victimJobs = share(first.length - 1);
      const ended = () => endedJobEvents(victim);
      while (ended().length < victimJobs.length * options.killOneAfter && victim.child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
      victim.child.kill("SIGKILL");
      await victim.exited;
      const endedQuestions = new Set(ended().map((e) => e.question));
      // In flight: started more often than it ended (a job refused as busy starts again later).
      const balance = new Map<string, number>();
      for (const e of victim.events) balance.set(e.question, (balance.get(e.question) ?? 0) + (e.event === "started" ? 1 : -1));
      killedQuestions = [...balance].filter(([, open]) => open > 0).map(([question]) => question);
      // The rest of its jobs, under new names: the killed attempts must stay off the threads.
      const rest = victimJobs.filter((job) => !endedQuestions.has(job.question)).map((job) => ({ thread: job.thread, question: `${job.question}@restart` }));
      const replacement = startWorker(postgres.url, models.url, progress);
      workers.push(replacement);
      await replacement.ready;
      replacement.child.stdin.write(`${JSON.stringify({ jobs: rest, ...settings } satisfies SoakJobs)}\n`);
    }
    const codes = await Promise.all(workers.map((w) => w.exited));
    const failedWorker = workers.find((w, i) => codes[i] !== 0 && !(options.killOneAfter !== undefined && w === first.at(-1)));
    if (failedWorker) throw new Error(`a soak worker failed:\n${failedWorker.stderr}`);

    const events = workers.flatMap((w) => w.events);
    const count = (event: string) => events.filter((e) => e.event === event).length;
    const answered = events.filter((e) => e.event === "answered");
    const reader = createMixtureOfAgents({ proposers: ["openai:unused"], aggregator: "openai:unused", checkpointer: PostgresSaver.fromConnString(postgres.url) });
    let lost = 0, ghosts = 0, duplicated = 0, outOfOrder = 0, pending = 0, unacknowledged = 0;
    const anomalies: SoakResult["anomalies"] = [];
    for (const thread of threadIds) {
      const state = await reader.getState({ configurable: { thread_id: thread } });
      const conversation = (state.values as { messages?: BaseMessage[] }).messages ?? [];
      const answeredOnThread = conversation.filter((m, i) => m.getType() === "human" && conversation[i + 1]?.getType() === "ai").map((m) => m.text);
      const kept = answeredOnThread.filter((q) => killedQuestions.includes(q));
      unacknowledged += kept.length;
      const messages = conversation.filter((m) => m.getType() === "human" && !kept.includes(m.text)).map((m) => m.text);
      const expected = answered.filter((e) => e.thread === thread).sort((a, b) => a.at - b.at).map((e) => e.question);
      lost += expected.filter((q) => !messages.includes(q)).length;
      ghosts += messages.filter((q) => !expected.includes(q)).length;
      duplicated += messages.filter((q, i) => messages.indexOf(q) !== i).length;
      if (messages.length === expected.length && messages.some((q, i) => q !== expected[i]) && expected.every((q) => messages.includes(q))) outOfOrder++;
      if (state.next.length > 0) pending++;
      if (state.next.length > 0 || messages.join("\n") !== expected.join("\n") || new Set(messages).size !== messages.length) {
        const history: string[] = [];
        for await (const snapshot of reader.getStateHistory({ configurable: { thread_id: thread } })) {
          const texts = ((snapshot.values as { messages?: BaseMessage[] }).messages ?? []).map((m) => `${m.getType()[0]}:${m.text}`);
          history.push(`${String(snapshot.config.configurable?.checkpoint_id).slice(-6)}<-${String(snapshot.parentConfig?.configurable?.checkpoint_id).slice(-6)} ${String(snapshot.metadata?.source)} next=${snapshot.next.join("+")} ${texts.slice(-3).join(" | ")}`);
        }
        anomalies.push({ thread, answered: expected, holds: messages, events: events.filter((e) => e.thread === thread), history });
      }
    }
    await (reader.checkpointer as PostgresSaver).end();
    return {
      threads: options.threads,
      turnsPerThread: options.turnsPerThread,
      workers: options.workers,
      attempted: count("started") - count("busy"),
      answered: answered.length,
      failed: count("failed"),
      aborted: count("aborted"),
      busy: count("busy"),
      killedInFlight: killedQuestions.length,
      unacknowledged,
      lost,
      ghosts,
      duplicated,
      outOfOrder,
      pending,
      durationMs: Date.now() - startedAt,
      anomalies,
    };
  } finally {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await Promise.all([postgres.stop(), models.close()]);
  }
}
