/**
 * Threads in PostgreSQL (`@langchain/langgraph-checkpoint-postgres`), against a real server started for
 * the file: conversations, rollback, and one turn at a time per thread across sessions sharing the
 * database (two serving processes at once: test/integration/thread-soak.test.ts).
 */
import { HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { MoAThreadBusyError, createMixtureOfAgents } from "../../src/index.js";
import { postgresPoolOf } from "../../src/graph/postgres-thread-lock.js";
import { brief } from "../support/conversation.js";
import { startOpenAIServer } from "../support/openai-server.js";
import { startPostgres, type PostgresServer } from "../support/postgres-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

let postgres: PostgresServer;
let models: ProtocolServer;
const savers: PostgresSaver[] = [];

beforeAll(async () => {
  [postgres, models] = await Promise.all([
    startPostgres(),
    startOpenAIServer({ models: { slow: { latencyMs: 1_000 }, down: { fault: { kind: "status", status: 400 } } }, fallback: { latencyMs: 10 } }),
  ]);
  await saver().setup();
}, 60_000);
afterAll(async () => {
  await Promise.all(savers.map((s) => s.end().catch(() => undefined)));
  await Promise.all([postgres?.stop(), models?.close()]);
});

/** A new PostgresSaver on the test database (on `url`, by default as its owner), with a pool of its own: as another process would have. */
function saver(url = postgres.url): PostgresSaver {
  const created = PostgresSaver.fromConnString(url);
  savers.push(created);
  return created;
}

/** The rows of `sql`, asked of the test database on a connection of its own. */
async function rowsOf(sql: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: postgres.url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const model = (name: string) => ({ model: `openai:${name}`, apiKey: "sk-test-key", baseURL: `${models.url}/v1` });
const moa = (checkpointer: PostgresSaver, proposer = "p1") => createMixtureOfAgents({ proposers: [model(proposer)], aggregator: model("agg"), checkpointer });
const ask = (text: string) => ({ messages: [new HumanMessage(text)] });
const on = (threadId: string) => ({ configurable: { thread_id: threadId } });

describe("threads in PostgreSQL", () => {
  it("PostgresSaver still keeps its pg pool where the cross-process thread lock reads its connection settings", () => {
    const pool = postgresPoolOf(saver());
    expect(pool, "@langchain/langgraph-checkpoint-postgres changed: see src/graph/postgres-thread-lock.ts").toBeDefined();
    expect(pool?.options).toMatchObject({ connectionString: postgres.url });
  });

  it("keeps a conversation, and a failed turn leaves it as it was", async () => {
    const checkpointer = saver();
    await moa(checkpointer).invoke(ask("first"), on("conversation"));
    await expect(moa(checkpointer, "down").invoke(ask("fails"), on("conversation"))).rejects.toMatchObject({ name: "ProposersFailedError" });
    await moa(checkpointer).invoke(ask("second"), on("conversation"));
    const { values, next } = await moa(saver()).getState(on("conversation"));
    expect(brief(values.messages).map(([, text]) => text)).toEqual(["first", "agg answer", "second", "agg answer"]);
    expect(next).toEqual([]);
  });

  it("a turn on a thread that another process is answering throws MoAThreadBusyError; the thread is free once that turn ends", async () => {
    const [here, elsewhere] = [moa(saver(), "slow"), moa(saver())];
    const first = here.invoke(ask("A"), on("shared"));
    await vi.waitFor(() => expect(models.requests.some((r) => r.model === "slow" && r.messages.at(-1)?.content === "A")).toBe(true));
    const error = await elsewhere.invoke(ask("B"), on("shared")).catch((e: unknown) => e);
    expect(MoAThreadBusyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ threadId: "shared" });
    await first;
    await elsewhere.invoke(ask("B"), on("shared"));
    const { values } = await elsewhere.getState(on("shared"));
    expect(brief(values.messages).map(([, text]) => text)).toEqual(["A", "agg answer", "B", "agg answer"]);
  });

  it("a thread's lock lasts the whole turn on a server that ends idle transactions (idle_in_transaction_session_timeout)", async () => {
    await rowsOf("CREATE ROLE moa_short_idle LOGIN SUPERUSER; ALTER ROLE moa_short_idle SET idle_in_transaction_session_timeout = '200ms'");
    const url = new URL(postgres.url);
    url.username = "moa_short_idle";
    const [here, elsewhere] = [moa(saver(url.href), "slow"), moa(saver(url.href))];
    const first = here.invoke(ask("A"), on("short idle"));
    await vi.waitFor(() => expect(models.requests.some((r) => r.model === "slow" && r.messages.at(-1)?.content === "A")).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const error = await elsewhere.invoke(ask("B"), on("short idle")).catch((e: unknown) => e);
    expect(MoAThreadBusyError.isInstance(error), String(error)).toBe(true);
    await first;
    await elsewhere.invoke(ask("B"), on("short idle"));
  });

  it("a thread's lock holds back no VACUUM: its transaction keeps no snapshot while the turn runs, and ends with the turn", async () => {
    const turn = moa(saver(), "slow").invoke(ask("A"), on("no snapshot"));
    await vi.waitFor(() => expect(models.requests.some((r) => r.model === "slow" && r.messages.at(-1)?.content === "A")).toBe(true));
    // A backend reports itself idle a moment after its client has the statement's result: polled, on a loaded machine.
    await vi.waitFor(async () => expect(await rowsOf("SELECT backend_xmin FROM pg_stat_activity WHERE state = 'idle in transaction'")).toEqual([{ backend_xmin: null }]));
    expect(await rowsOf("SELECT count(*)::int AS locks FROM pg_locks WHERE locktype = 'advisory'")).toEqual([{ locks: 1 }]);
    await turn;
    expect(await rowsOf("SELECT count(*)::int AS idle FROM pg_stat_activity WHERE state = 'idle in transaction'")).toEqual([{ idle: 0 }]);
    expect(await rowsOf("SELECT count(*)::int AS locks FROM pg_locks WHERE locktype = 'advisory'")).toEqual([{ locks: 0 }]);
  });
});
