/**
 * A process killed mid-turn (deploy, OOM, power) loses that turn and nothing else: the next turn on the
 * thread starts from the last answered turn, and the dead turn's question is neither shown to the models
 * nor part of the conversation. The turn runs in a child process on a SQLite or PostgreSQL thread and is
 * killed with SIGKILL in each phase of the turn; the next turn runs in this process on the same database.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HumanMessage } from "@langchain/core/messages";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { MoAThreadBusyError, createMixtureOfAgents, getMoATrace } from "../../src/index.js";
import { startOpenAIServer } from "../support/openai-server.js";
import { startPostgres, type PostgresServer } from "../support/postgres-server.js";
import type { ModelScript, ProtocolServer } from "../support/protocol-server.js";
import { untilFree } from "../support/until-free.js";
import { counted } from "../support/counted-saver.js";

const child = fileURLToPath(new URL("../support/turn-process.ts", import.meta.url));
const LOST = "LOST QUESTION";
const LONG = 30_000;
/**
 * How long a turn process may take to load. A fresh clone's first one compiles the sources through tsx, and
 * on a loaded 2-core machine that alone has taken more than 15 s; the phases are then bounded on their own.
 */
const START_UP_MS = 60_000;

let server: ProtocolServer;
let dir: string;
let postgres: PostgresServer;
beforeAll(async () => {
  [server, dir, postgres] = await Promise.all([startOpenAIServer({ models: {} }), mkdtemp(join(tmpdir(), "moa-crash-")), startPostgres()]);
  const saver = PostgresSaver.fromConnString(postgres.url);
  await saver.setup();
  await saver.end();
}, 60_000);
afterAll(async () => {
  await Promise.all([server?.close(), postgres?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A database holding threads: where the child process finds it, and how this process opens it. */
interface Store {
  location: string;
  open(): { checkpointer: BaseCheckpointSaver; close(): Promise<void> };
}

const stores: Record<string, () => Store> = {
  SQLite: () => {
    const location = join(dir, `${Math.random().toString(36).slice(2)}.sqlite`);
    return {
      location,
      open() {
        const checkpointer = SqliteSaver.fromConnString(location);
        return { checkpointer, close: async () => void checkpointer.db.close() };
      },
    };
  },
  PostgreSQL: () => ({
    location: postgres.url,
    open() {
      const checkpointer = PostgresSaver.fromConnString(postgres.url);
      return { checkpointer, close: () => checkpointer.end() };
    },
  }),
};

const FAST: Record<string, ModelScript> = { p1: {}, p2: {}, agg: {} };
let requestsBefore = 0;
beforeEach(() => {
  requestsBefore = server.requests.length;
  for (const [model, script] of Object.entries(FAST)) server.setScript(model, script);
});

function graphOn(store: Store, layers: number) {
  const model = (name: string) => ({ model: `openai:${name}`, apiKey: "sk-test-key", baseURL: `${server.url}/v1` });
  const { checkpointer, close } = store.open();
  return { close, graph: createMixtureOfAgents({ proposers: [model("p1"), model("p2")], aggregator: model("agg"), layers, checkpointer }) };
}

/** A turn process, once it has loaded (see turn-process.ts), with what it has printed so far. */
async function startTurnProcess(database: string, thread: string, layers: number, durability?: "async"): Promise<{ process: ChildProcess; output: () => string }> {
  const args = ["--import", "tsx", child, database, server.url, thread, String(layers), LOST, ...(durability ? [durability] : [])];
  const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout?.on("data", (data: Buffer) => (output += data.toString()));
  proc.stderr?.on("data", (data: Buffer) => (output += data.toString()));
  await vi.waitFor(() => expect(output.split("\n"), output).toContain("loaded"), { timeout: START_UP_MS, interval: 20 });
  return { process: proc, output: () => output };
}

/** This test's requests of the turn that is killed. */
function lostRequests(model?: string) {
  return server.requests.slice(requestsBefore).filter((r) => r.messages.some((m) => m.content.includes(LOST)) && (model === undefined || r.model === model));
}


/** Slow from the `from`-th request on (0-based), counted from now. */
function slowFrom(from: number): ModelScript {
  let seen = 0;
  return { latencyMs: () => (seen++ < from ? 0 : LONG) };
}

const phases: Array<{ phase: string; layers: number; scripts: () => Record<string, ModelScript>; killWhen: () => boolean }> = [
  {
    phase: "the proposers are running",
    layers: 1,
    scripts: () => ({ p1: { latencyMs: LONG }, p2: { latencyMs: LONG } }),
    killWhen: () => lostRequests().length === 2 && server.inFlight() === 2,
  },
  {
    phase: "layer 1 is answered and layer 2 is running",
    layers: 2,
    scripts: () => ({ p1: slowFrom(1), p2: slowFrom(1) }),
    killWhen: () => lostRequests("p1").length === 2 && lostRequests("p2").length === 2,
  },
  {
    phase: "the aggregator is streaming its answer",
    layers: 1,
    scripts: () => ({ agg: { text: "a long answer that streams slowly ".repeat(20), chunkDelayMs: 200 } }),
    killWhen: () => lostRequests("agg").length === 1,
  },
];

describe.each(Object.keys(stores))("a process killed mid-turn loses that turn only (%s)", (storeName) => {
  // Durability "async": each step is checkpointed as the turn goes, so the dead turn's steps are on the thread.
  it.each(phases)("SIGKILL while $phase (durability async): the next turn starts from the last answered one", async ({ layers, scripts, killWhen }) => {
    const store = stores[storeName]!();
    const threadId = `t-${Math.random().toString(36).slice(2)}`;
    const thread = { configurable: { thread_id: threadId } };
    const first = graphOn(store, layers);
    await first.graph.invoke({ messages: [new HumanMessage("hello")] }, thread);
    await first.close();

    for (const [model, script] of Object.entries(scripts())) server.setScript(model, script);
    const turn = await startTurnProcess(store.location, threadId, layers, "async");
    const exited = new Promise((resolve) => turn.process.once("exit", resolve));
    // The phase is reached, and the dead turn's question is on the thread (checkpoints are written while
    // the turn goes on, so the first one may land a little after the requests go out).
    const watcher = graphOn(store, layers);
    await vi.waitFor(
      async () => {
        expect(killWhen(), turn.output()).toBe(true);
        const { values } = await watcher.graph.getState(thread);
        expect((values.messages ?? []).map((m: { content: unknown }) => m.content)).toContain(LOST);
      },
      { timeout: 15_000, interval: 20 },
    );
    await watcher.close();
    if (layers === 1 && scripts().agg) await new Promise((resolve) => setTimeout(resolve, 500)); // some chunks out
    turn.process.kill("SIGKILL");
    await exited;
    expect(turn.output()).not.toContain("answered");
    for (const [model, script] of Object.entries(FAST)) server.setScript(model, script);

    const next = graphOn(store, layers);
    const deadState = await next.graph.getState(thread);
    expect(deadState.values.messages.map((m: { content: unknown }) => m.content)).toContain(LOST); // the dead turn did reach the thread
    const mark = server.requests.length;
    const answer = await untilFree(() => next.graph.invoke({ messages: [new HumanMessage("next question")] }, thread));

    const seenByModels = server.requests.slice(mark);
    expect(seenByModels.map((r) => r.model).sort()).toEqual([...Array.from({ length: layers }, () => ["p1", "p2"]).flat(), "agg"].sort());
    const history: string[] = [];
    for await (const snapshot of next.graph.getStateHistory(thread)) {
      const texts = ((snapshot.values.messages ?? []) as Array<{ content: unknown; getType(): string }>).map((m) => `${m.getType()[0]}:${String(m.content).slice(0, 12)}`);
      history.push(`${String(snapshot.config.configurable?.checkpoint_id).slice(-4)}<-${String(snapshot.parentConfig?.configurable?.checkpoint_id).slice(-4)} ${String(snapshot.metadata?.source)}/${String(snapshot.metadata?.step)} next=${snapshot.next.join("+")} tasks=${snapshot.tasks.length} ${texts.join(" ")}`);
    }
    for (const request of seenByModels) expect(request.messages.map((m) => m.content).join("\n"), history.join("\n")).not.toContain(LOST);
    expect(answer.messages.map((m) => m.content)).toEqual(["hello", "agg answer", "next question", "agg answer"]);
    expect(getMoATrace(answer.messages.at(-1)!)?.layers).toHaveLength(layers);
    const state = await next.graph.getState(thread);
    expect(state.values.messages.map((m: { content: unknown }) => m.content)).toEqual(["hello", "agg answer", "next question", "agg answer"]);
    expect(state.next).toEqual([]);
    await next.close();
  }, START_UP_MS + 40_000);

  it("SIGKILL while the proposers are running (default durability): nothing of the dead turn reached the thread", async () => {
    const store = stores[storeName]!();
    const threadId = `t-${Math.random().toString(36).slice(2)}`;
    const thread = { configurable: { thread_id: threadId } };
    const first = graphOn(store, 1);
    await first.graph.invoke({ messages: [new HumanMessage("hello")] }, thread);
    await first.close();
    server.setScript("p1", { latencyMs: LONG });
    server.setScript("p2", { latencyMs: LONG });
    const turn = await startTurnProcess(store.location, threadId, 1);
    const exited = new Promise((resolve) => turn.process.once("exit", resolve));
    await vi.waitFor(() => expect(lostRequests().length, turn.output()).toBe(2), { timeout: 15_000, interval: 20 });
    turn.process.kill("SIGKILL");
    await exited;
    for (const [model, script] of Object.entries(FAST)) server.setScript(model, script);

    const next = graphOn(store, 1);
    expect((await next.graph.getState(thread)).values.messages.map((m: { content: unknown }) => m.content)).toEqual(["hello", "agg answer"]);
    const answer = await untilFree(() => next.graph.invoke({ messages: [new HumanMessage("next question")] }, thread));
    expect(answer.messages.map((m) => m.content)).toEqual(["hello", "agg answer", "next question", "agg answer"]);
    await next.close();
  }, START_UP_MS + 40_000);

  it("while another process answers on a thread, a turn here is refused with MoAThreadBusyError; once that process is killed, the thread is free", async () => {
    const store = stores[storeName]!();
    const threadId = `t-${Math.random().toString(36).slice(2)}`;
    const thread = { configurable: { thread_id: threadId } };
    const here = graphOn(store, 1);
    await here.graph.invoke({ messages: [new HumanMessage("hello")] }, thread);

    server.setScript("p1", { latencyMs: LONG });
    const turn = await startTurnProcess(store.location, threadId, 1);
    const exited = new Promise((resolve) => turn.process.once("exit", resolve));
    await vi.waitFor(() => expect(lostRequests("p1").length, turn.output()).toBe(1), { timeout: 15_000, interval: 20 });
    const refused = await here.graph.invoke({ messages: [new HumanMessage("meanwhile")] }, thread).catch((e: unknown) => e);
    expect(MoAThreadBusyError.isInstance(refused), String(refused)).toBe(true);

    turn.process.kill("SIGKILL");
    await exited;
    server.setScript("p1", FAST.p1!);
    const answer = await untilFree(() => here.graph.invoke({ messages: [new HumanMessage("after")] }, thread));
    expect(answer.messages.map((m) => m.content)).toEqual(["hello", "agg answer", "after", "agg answer"]);
    await here.close();
  }, START_UP_MS + 40_000);
});

describe.each(Object.keys(stores))("%s: a turn reads its thread once", (name) => {
  it("three turns, one read of the checkpointer each", async () => {
    const store = (stores[name] as () => Store)();
    const { checkpointer, close } = store.open();
    const saver = counted(checkpointer);
    const model = (id: string) => ({ model: `openai:${id}`, apiKey: "sk-test-key", baseURL: `${server.url}/v1` });
    const graph = createMixtureOfAgents({ proposers: [model("p1"), model("p2")], aggregator: model("agg"), layers: 2, checkpointer: saver });
    const config = { configurable: { thread_id: `reads-${name}` } };
    const perTurn: number[] = [];
    try {
      for (const question of ["first", "second", "third"]) {
        const before = saver.reads();
        await graph.invoke({ messages: [new HumanMessage(question)] }, config);
        perTurn.push(saver.reads() - before);
      }
    } finally {
      await close();
    }
    expect(perTurn).toEqual([1, 1, 1]);
  });
});
