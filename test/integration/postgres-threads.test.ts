/**
 * Threads in PostgreSQL (`@langchain/langgraph-checkpoint-postgres`), against a real server started for
 * the file: conversations, rollback, and one turn at a time per thread across sessions sharing the
 * database (two serving processes at once: test/integration/thread-soak.test.ts).
 */
import { HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
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

/** A new PostgresSaver on the test database, with a pool of its own: as another process would have. */
function saver(): PostgresSaver {
  const created = PostgresSaver.fromConnString(postgres.url);
  savers.push(created);
  return created;
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
});
