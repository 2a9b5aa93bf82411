/**
 * Threads in PostgreSQL (`@langchain/langgraph-checkpoint-postgres`), against a real server started for
 * the file: conversations, rollback, and one turn at a time per thread across processes sharing the
 * database, down to two Node processes serving turns on the same threads at once.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { HumanMessage } from "@langchain/core/messages";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
    startOpenAIServer({ models: { slow: { latencyMs: 300 }, down: { fault: { kind: "status", status: 400 } } }, fallback: { latencyMs: 10 } }),
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
    await new Promise((resolve) => setTimeout(resolve, 100));
    const error = await elsewhere.invoke(ask("B"), on("shared")).catch((e: unknown) => e);
    expect(MoAThreadBusyError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ threadId: "shared" });
    await first;
    await elsewhere.invoke(ask("B"), on("shared"));
    const { values } = await elsewhere.getState(on("shared"));
    expect(brief(values.messages).map(([, text]) => text)).toEqual(["A", "agg answer", "B", "agg answer"]);
  });

  it("two Node processes serving turns on the same threads at once: every answered turn is on its thread, in order, exactly once", async () => {
    const worker = fileURLToPath(new URL("../support/turn-worker.ts", import.meta.url));
    const threads = ["w1", "w2", "w3"];
    const processes = ["alpha", "beta"].map((name) => {
      const child = spawn(process.execPath, ["--import", "tsx", worker, postgres.url, models.url, name, threads.join(","), "12"], { stdio: ["pipe", "pipe", "pipe"] });
      let output = "";
      let errors = "";
      child.stdout.on("data", (data: Buffer) => (output += data.toString()));
      child.stderr.on("data", (data: Buffer) => (errors += data.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      return { child, exited, output: () => output, errors: () => errors };
    });
    const ready = (p: (typeof processes)[number]) => p.output().includes("ready\n");
    while (!processes.every(ready)) {
      if (processes.some((p) => p.child.exitCode !== null)) throw new Error(processes.map((p) => p.errors()).join("\n"));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    for (const p of processes) p.child.stdin.write("go\n");
    const codes = await Promise.all(processes.map((p) => p.exited));
    expect(codes, processes.map((p) => p.errors()).join("\n")).toEqual([0, 0]);

    const lines = processes.flatMap((p) => p.output().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>));
    const answered = lines.filter((line) => "question" in line) as Array<{ thread: string; question: string; answeredAt: number }>;
    const busyRetries = lines.reduce((sum, line) => sum + (typeof line.busy === "number" ? line.busy : 0), 0);
    expect(answered).toHaveLength(24);
    expect(busyRetries, "the two processes never met on a thread").toBeGreaterThan(0);

    const reader = moa(saver());
    for (const thread of threads) {
      const { values, next } = await reader.getState(on(thread));
      const expected = answered.filter((turn) => turn.thread === thread).sort((a, b) => a.answeredAt - b.answeredAt).flatMap((turn) => [["human", turn.question], ["ai", "agg answer"]]);
      expect(brief(values.messages ?? []), `thread ${thread}`).toEqual(expected);
      expect(next).toEqual([]);
    }
  }, 120_000);
});
