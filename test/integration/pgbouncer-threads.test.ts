/**
 * Threads in PostgreSQL reached through PgBouncer, the pooler in front of many hosted databases: in
 * transaction mode (each transaction may run on another server connection) a thread still answers one
 * turn at a time, across processes, and is free again as soon as its turn ends, whatever happens to the
 * pooler or the process holding it; in session mode it works as directly; in statement mode, where nothing
 * can hold a lock, a turn is refused at once with the connection to use. A real PgBouncer in front of a
 * real PostgreSQL, both started for the file.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MoAConfigError, MoAThreadBusyError, createMixtureOfAgents } from "../../src/index.js";
import { brief } from "../support/conversation.js";
import { startOpenAIServer } from "../support/openai-server.js";
import { startPgBouncer, type PgBouncerServer, type PoolMode } from "../support/pgbouncer-server.js";
import { untilFree } from "../support/until-free.js";
import { startPostgres, type PostgresServer } from "../support/postgres-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

const turnProcess = fileURLToPath(new URL("../support/turn-process.ts", import.meta.url));
/** How long a turn process may take to load (a fresh clone compiles the sources through tsx first). */
const START_UP_MS = 60_000;

let postgres: PostgresServer;
let models: ProtocolServer;
const poolers = {} as Record<PoolMode, PgBouncerServer>;
const savers: PostgresSaver[] = [];

beforeAll(async () => {
  [postgres, models] = await Promise.all([
    startPostgres(),
    startOpenAIServer({ models: { slow: { latencyMs: 1_000 } }, fallback: { latencyMs: 10 } }),
  ]);
  const setup = PostgresSaver.fromConnString(postgres.url);
  await setup.setup();
  await setup.end();
  // In transaction mode a few server connections, so that the statements of one client do land on different
  // ones; in session mode each client connection keeps one for itself, so the pool must hold them all.
  const poolSizes: Record<PoolMode, number> = { transaction: 4, session: 40, statement: 4 };
  for (const mode of ["transaction", "session", "statement"] as const) poolers[mode] = await startPgBouncer({ upstream: postgres.url, poolMode: mode, poolSize: poolSizes[mode] });
}, 60_000);
afterAll(async () => {
  await Promise.all(savers.map((s) => s.end().catch(() => undefined)));
  await Promise.all([...Object.values(poolers).map((p) => p.stop()), models?.close()]);
  await postgres?.stop();
});

/**
 * A new PostgresSaver on `url`, with a pool of its own: as another process would have. The pool listens for
 * errors, as an application's must: when the pooler restarts, its idle connections report their end there.
 */
function saver(url: string): PostgresSaver {
  const pool = new pg.Pool({ connectionString: url });
  pool.on("error", () => undefined);
  const created = new PostgresSaver(pool);
  savers.push(created);
  return created;
}

const model = (name: string) => ({ model: `openai:${name}`, apiKey: "sk-test-key", baseURL: `${models.url}/v1` });
const moa = (checkpointer: PostgresSaver, proposer = "p1") => createMixtureOfAgents({ proposers: [model(proposer)], aggregator: model("agg"), checkpointer });
const ask = (text: string) => ({ messages: [new HumanMessage(text)] });
const on = (threadId: string) => ({ configurable: { thread_id: threadId } });
const uniqueThread = () => `t-${Math.random().toString(36).slice(2)}`;

/** The advisory locks held in the database right now, asked of PostgreSQL itself (not through a pooler). */
async function advisoryLocks(): Promise<number> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'");
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}


/** Turns one after another on one thread: every one runs, and none leaves a lock behind. */
async function expectTurnsOneAfterAnother(url: string): Promise<void> {
  const threadId = uniqueThread();
  const graph = moa(saver(url));
  const questions = Array.from({ length: 12 }, (_, i) => `question ${i}`);
  for (const question of questions) await graph.invoke(ask(question), on(threadId));
  const { values } = await moa(saver(url)).getState(on(threadId));
  expect(brief(values.messages).map(([, text]) => text)).toEqual(questions.flatMap((q) => [q, "agg answer"]));
  expect(await advisoryLocks()).toBe(0);
}

/** Two turns at once on one thread from two processes: the second is refused while the first runs, and runs after it. */
async function expectOverlappingTurnsRefused(url: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const threadId = uniqueThread();
    const [here, elsewhere] = [moa(saver(url), "slow"), moa(saver(url))];
    const first = here.invoke(ask(`A${round}`), on(threadId));
    await vi.waitFor(() => expect(models.requests.some((r) => r.model === "slow" && r.messages.at(-1)?.content === `A${round}`)).toBe(true));
    const error = await elsewhere.invoke(ask(`B${round}`), on(threadId)).catch((e: unknown) => e);
    expect(MoAThreadBusyError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ threadId });
    await first;
    await elsewhere.invoke(ask(`B${round}`), on(threadId));
    const { values } = await elsewhere.getState(on(threadId));
    expect(brief(values.messages).map(([, text]) => text)).toEqual([`A${round}`, "agg answer", `B${round}`, "agg answer"]);
  }
  expect(await advisoryLocks()).toBe(0);
}

describe("threads behind PgBouncer in transaction mode", () => {
  it("turns one after another on one thread all run, and no lock is left held", () => expectTurnsOneAfterAnother(poolers.transaction.url), 60_000);

  it("of two overlapping turns on one thread, the second is refused with MoAThreadBusyError and runs once the first has ended", () => expectOverlappingTurnsRefused(poolers.transaction.url), 60_000);

  it("a process killed mid-turn frees its thread: the pooler drops the server connection holding the lock", async () => {
    const threadId = uniqueThread();
    const here = moa(saver(poolers.transaction.url));
    models.setScript("p1", { latencyMs: 30_000 });
    const child = spawn(process.execPath, ["--import", "tsx", turnProcess, poolers.transaction.url, models.url, threadId, "1", "dies"], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (data: Buffer) => (output += data.toString()));
    child.stderr?.on("data", (data: Buffer) => (output += data.toString()));
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      await vi.waitFor(() => expect(models.requests.some((r) => r.model === "p1" && r.messages.at(-1)?.content === "dies"), output).toBe(true), { timeout: START_UP_MS, interval: 20 });
      models.setScript("p1", {});
      const refused = await here.invoke(ask("meanwhile"), on(threadId)).catch((e: unknown) => e);
      expect(MoAThreadBusyError.isInstance(refused), String(refused)).toBe(true);
    } finally {
      models.setScript("p1", {});
      child.kill("SIGKILL");
      await exited;
    }
    const answer = await untilFree(() => here.invoke(ask("after"), on(threadId)));
    expect(brief(answer.messages).map(([, text]) => text)).toEqual(["after", "agg answer"]);
    expect(await advisoryLocks()).toBe(0);
  }, START_UP_MS + 30_000);

  it("a pooler restarted while a turn holds its thread's lock leaves the thread free once that turn has ended", async () => {
    const threadId = uniqueThread();
    models.setScript("held", { latencyMs: 3_000 });
    const graph = moa(saver(poolers.transaction.url), "held");
    const turn = graph.invoke(ask("during the restart"), on(threadId)).catch((e: unknown) => e);
    await vi.waitFor(() => expect(models.requests.some((r) => r.model === "held" && r.messages.at(-1)?.content === "during the restart")).toBe(true));
    // Restarted while the turn waits for its model, not while PostgresSaver has a connection checked out of
    // its pool: such a connection has no error listener, and its end would be an uncaught exception.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await poolers.transaction.restart();
    await turn; // it may fail (its checkpoints are written through the pooler): what matters is what it leaves behind
    expect(await advisoryLocks()).toBe(0);
    const later = moa(saver(poolers.transaction.url));
    const answer = await later.invoke(ask("after the restart"), on(threadId));
    expect(brief(answer.messages).map(([, text]) => text).slice(-2)).toEqual(["after the restart", "agg answer"]);
    expect(await advisoryLocks()).toBe(0);
  }, 60_000);

  it("when running turns hold every server connection of the pool, the pooler fails them and no thread stays busy", async () => {
    const small = await startPgBouncer({ upstream: postgres.url, poolMode: "transaction", poolSize: 2, settings: { query_wait_timeout: 2 } });
    try {
      const graph = moa(saver(small.url), "slow");
      const threads = [uniqueThread(), uniqueThread(), uniqueThread()];
      const outcomes = await Promise.allSettled(threads.map((threadId) => graph.invoke(ask("crowded"), on(threadId))));
      const failures = outcomes.flatMap((o) => (o.status === "rejected" ? [String(o.reason)] : []));
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(failure).toMatch(/query_wait_timeout/);
      expect(await advisoryLocks()).toBe(0);
      const later = moa(saver(poolers.transaction.url));
      for (const threadId of threads) {
        const answer = await later.invoke(ask("later"), on(threadId));
        expect(brief(answer.messages).map(([, text]) => text).slice(-2)).toEqual(["later", "agg answer"]);
      }
    } finally {
      await small.stop();
    }
  }, 60_000);
});

describe("threads behind PgBouncer in session mode", () => {
  it("turns one after another on one thread all run, and no lock is left held", () => expectTurnsOneAfterAnother(poolers.session.url), 60_000);

  it("of two overlapping turns on one thread, the second is refused with MoAThreadBusyError and runs once the first has ended", () => expectOverlappingTurnsRefused(poolers.session.url), 60_000);
});

describe("threads behind PgBouncer in statement mode", () => {
  it("a turn is refused at once with a MoAConfigError naming the connection to use, and the thread is left alone", async () => {
    const threadId = uniqueThread();
    const before = models.requests.length;
    const error = await moa(saver(poolers.statement.url)).invoke(ask("refused"), on(threadId)).catch((e: unknown) => e);
    expect(MoAConfigError.isInstance(error), String(error)).toBe(true);
    expect(error).toMatchObject({ option: "checkpointer" });
    expect((error as Error).message).toMatch(/statement pooling mode/);
    expect((error as Error).message).toMatch(/directly to PostgreSQL.*session or transaction mode/);
    expect(models.requests.length).toBe(before);
    const { values } = await moa(saver(postgres.url)).getState(on(threadId));
    expect(values.messages ?? []).toEqual([]);
    expect(await advisoryLocks()).toBe(0);
  });
});
