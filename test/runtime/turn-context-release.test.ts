/**
 * A keep-alive socket keeps the async context it was opened in (Node copies the `AsyncLocalStorage`
 * stores onto the socket's handle on Node 20 and 22, and the socket keeps its `AsyncContextFrame` on
 * Node 24). The MoA's model calls run outside the turn's LangChain context, so an application that
 * drops a graph and its checkpointer gets their memory back, although its HTTP clients, and the sockets
 * the turns opened, live on. The control shows that the check can fail: a socket opened inside a
 * LangChain context keeps that context until the socket closes.
 *
 * Over loopback HTTP with real `ChatOpenAI` clients (fetch, undici's connection pool).
 */
import diagnostics from "node:diagnostics_channel";
import type { Socket } from "node:net";
import v8 from "node:v8";
import vm from "node:vm";
import { HumanMessage } from "@langchain/core/messages";
import { AsyncLocalStorageProviderSingleton } from "@langchain/core/singletons";
import { MemorySaver } from "@langchain/langgraph";
import { ChatOpenAI } from "@langchain/openai";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createMixtureOfAgents } from "../../src/index.js";
import { collected as isCollected } from "../support/collected.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
const collected = (ref: WeakRef<object>) => isCollected(ref, gc);

let server: ProtocolServer;
/** The sockets fetch opened to `server`, held weakly: only the connection pool keeps them. */
let opened: WeakRef<Socket>[];

function onConnected(message: unknown): void {
  const { connectParams, socket } = message as { connectParams: { host: string }; socket: Socket };
  if (connectParams.host === new URL(server.url).host) opened.push(new WeakRef(socket));
}

// A new server (a new origin) for each test, so that its first request opens a new socket.
beforeEach(async () => {
  server = await startOpenAIServer({ models: { model: { text: "an answer" } } });
  opened = [];
  diagnostics.subscribe("undici:client:connected", onConnected);
});
afterEach(async () => {
  diagnostics.unsubscribe("undici:client:connected", onConnected);
  await server.close();
});

const openAI = () => new ChatOpenAI({ model: "model", apiKey: "sk-test-key", configuration: { baseURL: `${server.url}/v1` }, maxRetries: 0 });

/** Whether every socket opened so far is still open (and so still held by the pool: the test holds them weakly). */
const allStillOpen = () => opened.every((ref) => ref.deref()?.destroyed === false);

/** Three turns on a thread (invoked, streamed, streamed as events), with a MemorySaver; weak references to the graph and the saver. */
async function turnsOnAThread(clients: ChatOpenAI[]): Promise<{ graph: WeakRef<object>; saver: WeakRef<object> }> {
  const saver = new MemorySaver();
  const graph = createMixtureOfAgents({ proposers: clients, aggregator: clients[0]!, checkpointer: saver });
  const thread = { configurable: { thread_id: "thread" } };
  const state = await graph.invoke({ messages: [new HumanMessage("q1")] }, thread);
  expect(state.messages.at(-1)?.text).toBe("an answer");
  for await (const _ of await graph.stream({ messages: [new HumanMessage("q2")] }, { ...thread, streamMode: ["messages", "custom"] }));
  for await (const _ of graph.streamEvents({ messages: [new HumanMessage("q3")] }, { ...thread, version: "v2" }));
  expect((await graph.getState(thread)).values.messages).toHaveLength(6);
  return { graph: new WeakRef(graph), saver: new WeakRef(saver) };
}

it("a dropped graph and its MemorySaver are collected while the sockets their turns opened stay pooled", async () => {
  // The application's clients: they, and the sockets they pool, outlive the graph.
  const clients = [openAI(), openAI()];
  const dropped = await turnsOnAThread(clients);
  expect(opened.length).toBeGreaterThan(0);

  expect(await collected(dropped.saver)).toBe(true);
  expect(await collected(dropped.graph)).toBe(true);

  // The sockets opened during the turns are still open, and the next request goes over one of them.
  expect(allStillOpen()).toBe(true);
  expect(server.openConnections()).toBe(opened.length);
  const sockets = opened.length;
  await clients[0]!.invoke("q");
  expect(opened).toHaveLength(sockets);
});

it("control: a socket opened inside a LangChain context keeps that context until the socket closes", async () => {
  // Undici's clock (one timer, created by the process's first request) keeps the context it is created
  // in on Node 20 and 22: a request outside any context creates it, so that only the socket is measured.
  const elsewhere = await startOpenAIServer({ models: {} });
  await fetch(`${elsewhere.url}/v1/models`).then((response) => response.text());
  await elsewhere.close();

  const client = openAI();
  const turn = await (async () => {
    const context = { configurable: { turn: { data: "the turn" } } };
    await AsyncLocalStorageProviderSingleton.runWithConfig(context, () => client.invoke("q"));
    return new WeakRef(context.configurable.turn);
  })();
  expect(opened).toHaveLength(1);

  expect(await collected(turn)).toBe(false);
  expect(allStillOpen()).toBe(true);

  await closeSockets();
  expect(await collected(turn)).toBe(true);
});

/** Closes the server's connections and waits until the client's sockets have closed. */
async function closeSockets(): Promise<void> {
  // Undici destroys its socket with an error ("other side closed"): wait for `close` alone.
  const closing = opened
    .map((ref) => ref.deref())
    .filter((socket) => socket !== undefined && !socket.destroyed)
    .map((socket) => new Promise((resolve) => socket!.once("close", resolve)));
  await server.close();
  await Promise.all(closing);
}
