/**
 * The MoA deployed unchanged on LangGraph Server: `langgraphjs dev` on 127.0.0.1 with a free port, the
 * models pointed at the OpenAI-protocol test server, driven through @langchain/langgraph-sdk.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MoAState } from "../../src/index.js";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer } from "../support/protocol-server.js";
import { lastUserQuestion } from "../support/user-question.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
let models: ProtocolServer;
let server: ChildProcess | undefined;
let output = "";
let client: Client;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
    probe.on("error", reject);
  });
}

async function waitUntilUp(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(`${url}/ok`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`LangGraph Server did not start in ${ms} ms:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  models = await startOpenAIServer({ models: {}, fallback: { text: "served answer here", usage: { input: 10, output: 3 } } });
  const port = await freePort();
  server = spawn(`${root}node_modules/.bin/langgraphjs`, ["dev", "--port", String(port), "--host", "127.0.0.1", "--no-browser", "--no-reload", "--config", "langgraph.json"], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANGGRAPH_CLI_NO_ANALYTICS: "1",
      LANGSMITH_TRACING: "false",
      MOA_PROPOSERS: "openai:p1,openai:p2",
      MOA_AGGREGATOR: "openai:agg",
      OPENAI_BASE_URL: `${models.url}/v1`,
      OPENAI_API_KEY: "sk-test-key",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (data: Buffer) => (output += data.toString()));
  server.stderr?.on("data", (data: Buffer) => (output += data.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, 90_000);
  client = new Client({ apiUrl: url });
}, 120_000);

afterAll(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server?.once("exit", resolve));
    server.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (server.exitCode === null) server.kill("SIGKILL");
  }
  await models?.close();
});

describe("LangGraph Server", () => {
  it("runs two turns on a thread, streams the final answer, and keeps the per-layer trace in the state", async () => {
    const thread = await client.threads.create();
    const first = (await client.runs.wait(thread.thread_id, "moa", { input: { messages: [{ role: "human", content: "hello" }] } })) as MoAState;
    // Over HTTP the messages are plain JSON ({ type, content, ... }).
    expect(first.messages.map((m) => [(m as unknown as { type: string }).type, m.content])).toEqual([
      ["human", "hello"],
      ["ai", "served answer here"],
    ]);

    const tokens: string[] = [];
    const proposals: string[] = [];
    for await (const chunk of client.runs.stream(thread.thread_id, "moa", {
      input: { messages: [{ role: "human", content: "and again" }] },
      streamMode: ["messages-tuple", "custom"],
    })) {
      if (chunk.event === "messages") {
        const [message, metadata] = chunk.data as [{ content: string }, Record<string, unknown>];
        if (metadata.moa_role === "aggregator") tokens.push(message.content);
      }
      if (chunk.event === "custom" && (chunk.data as { event: string }).event === "moa_proposal") proposals.push((chunk.data as { id: string }).id);
    }
    expect(tokens.join("")).toBe("served answer here");
    expect(tokens.filter((t) => t !== "").length).toBeGreaterThan(1);
    expect(proposals.sort()).toEqual(["openai:p1", "openai:p2"]);

    const state = await client.threads.getState<MoAState>(thread.thread_id);
    expect(state.values.messages.map((m) => m.content)).toEqual(["hello", "served answer here", "and again", "served answer here"]);
    expect(state.values.trace.layers.map((l) => l.calls.map((c) => [c.id, c.status]))).toEqual([[["openai:p1", "ok"], ["openai:p2", "ok"]]]);
    expect(state.values.trace.usage).toMatchObject({ input_tokens: 30, output_tokens: 9 });
    // The second turn's proposers saw the first turn.
    const secondTurn = models.requests.filter((r) => r.messages.at(-1)?.content === "and again");
    expect(secondTurn.map((r) => r.messages.map((m) => m.content))).toContainEqual(["hello", "served answer here", "and again"]);
  }, 60_000);

  it("a run chooses its own models and layers through configurable", async () => {
    const thread = await client.threads.create();
    const state = (await client.runs.wait(thread.thread_id, "moa", {
      input: { messages: [{ role: "human", content: "configured" }] },
      config: { configurable: { proposers: ["openai:x1", "openai:x2", "openai:x3"], aggregator: "openai:x4", layers: 2 } },
    })) as MoAState;
    expect(state.trace.layers.map((l) => l.calls.map((c) => c.id))).toEqual([
      ["openai:x1", "openai:x2", "openai:x3"],
      ["openai:x1", "openai:x2", "openai:x3"],
    ]);
    expect(models.requests.filter((r) => r.model === "x4")).toHaveLength(1);
  }, 60_000);

  it("an aggregator that repeats its completion id leaves every answered turn on the thread", async () => {
    models.setScript("same-id", { responseId: "session-1", text: (request) => `answer to ${lastUserQuestion(request)}` });
    const thread = await client.threads.create();
    const configurable = { proposers: ["openai:p1"], aggregator: "openai:same-id" };
    for (const content of ["Q1", "Q2", "Q3"]) {
      await client.runs.wait(thread.thread_id, "moa", { input: { messages: [{ role: "human", content }] }, config: { configurable }, raiseError: true });
    }
    const state = (await client.threads.getState(thread.thread_id)).values as MoAState;
    expect(state.messages.map((m) => m.content)).toEqual(["Q1", "answer to Q1", "Q2", "answer to Q2", "Q3", "answer to Q3"]);
  }, 60_000);

  it("a run's configurable applies to that run only: the thread's next run without one uses the server's models", async () => {
    const thread = await client.threads.create();
    const ask = (content: string, configurable?: Record<string, unknown>) =>
      client.runs.wait(thread.thread_id, "moa", { input: { messages: [{ role: "human", content }] }, ...(configurable ? { config: { configurable } } : {}), raiseError: true }) as Promise<MoAState>;
    const chosen = await ask("chosen", { proposers: ["openai:y1", "openai:y2"], aggregator: "openai:y3" });
    const defaults = await ask("defaults");
    expect(chosen.trace.layers[0]?.calls.map((c) => c.id)).toEqual(["openai:y1", "openai:y2"]);
    expect(defaults.trace.layers[0]?.calls.map((c) => c.id)).toEqual(["openai:p1", "openai:p2"]);
    expect(models.requests.filter((r) => r.model === "y3").map((r) => lastUserQuestion(r))).toEqual(["chosen"]);
  }, 60_000);

  it.each([
    ["layers: 0", { layers: 0 }, /MoAConfigError.*Invalid configurable\.layers: expected an integer >= 1; got 0/],
    ["an unknown provider", { proposers: ["nosuch:model"] }, /MoAConfigError.*unknown provider \\"nosuch\\"/],
  ])("a rejected configurable (%s) fails that run alone, with its error in the run; the thread's state and later runs work", async (_label, configurable, message) => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "moa", { input: { messages: [{ role: "human", content: "before" }] }, raiseError: true });
    const failed = (await client.runs.wait(thread.thread_id, "moa", {
      input: { messages: [{ role: "human", content: "rejected" }] },
      config: { configurable },
      raiseError: false,
    })) as { __error__?: { error: string; message: string } };
    expect(`${failed.__error__?.error}: ${failed.__error__?.message}`).toMatch(message);
    const runs = await client.runs.list(thread.thread_id);
    expect(runs.map((run) => [run.created_at, run.status]).sort()).toEqual([[expect.any(String), "success"], [expect.any(String), "error"]]);

    const state = await client.threads.getState<MoAState>(thread.thread_id);
    expect(state.values.messages.map((m) => m.content)).toEqual(["before", "served answer here"]);
    const after = (await client.runs.wait(thread.thread_id, "moa", { input: { messages: [{ role: "human", content: "after" }] }, raiseError: true })) as MoAState;
    expect(after.messages.map((m) => m.content)).toEqual(["before", "served answer here", "after", "served answer here"]);
  }, 60_000);

  it("a run of 12 proposers and 12 layers fits the client's recursion limit of 25, and prints no MaxListenersExceededWarning", async () => {
    const thread = await client.threads.create();
    const proposers = Array.from({ length: 12 }, (_, i) => `openai:w${i}`);
    const state = (await client.runs.wait(thread.thread_id, "moa", {
      input: { messages: [{ role: "human", content: "wide and deep" }] },
      config: { recursion_limit: 25, configurable: { proposers, aggregator: "openai:agg", layers: 12 } },
      raiseError: true,
    })) as MoAState;
    expect(state.trace.layers).toHaveLength(12);
    expect(state.trace.layers.every((l) => l.calls.length === 12)).toBe(true);
    expect(output).not.toContain("MaxListenersExceededWarning");
  }, 60_000);

  it("a failed run leaves the thread as it was", async () => {
    models.setScript("down", { fault: { kind: "status", status: 400 } });
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, "moa", { input: { messages: [{ role: "human", content: "first" }] } });
    const before = await client.threads.getState<MoAState>(thread.thread_id);
    await client.runs.wait(thread.thread_id, "moa", {
      input: { messages: [{ role: "human", content: "this one fails" }] },
      config: { configurable: { proposers: ["openai:down"], aggregator: "openai:agg" } },
    }).catch(() => undefined);
    const after = await client.threads.getState<MoAState>(thread.thread_id);
    expect(after.values.messages.map((m) => m.content)).toEqual(before.values.messages.map((m) => m.content));
  }, 60_000);

  it("the assistant's config schema lists what a run may set, next to the graph's input and state schemas", async () => {
    const [assistant] = await client.assistants.search({ graphId: "moa" });
    const schemas = await client.assistants.getSchemas(assistant?.assistant_id ?? "moa");
    const fields = schemas.config_schema?.properties ?? {};
    expect(Object.keys(fields)).toEqual(expect.arrayContaining(["proposers", "aggregator", "layers", "rounds", "proposeOn"]));
    expect(fields.proposers).toMatchObject({ type: "array", items: { type: "string" }, description: expect.stringContaining("provider:model") });
    expect(Object.keys(schemas.input_schema?.properties ?? {})).toContain("messages");
    expect(Object.keys(schemas.state_schema?.properties ?? {})).toContain("trace");
  }, 60_000);

  it("a run may not give model objects (they could carry a base URL and the server's keys)", async () => {
    const thread = await client.threads.create();
    const error = await client.runs
      .wait(thread.thread_id, "moa", {
        input: { messages: [{ role: "human", content: "steal" }] },
        config: { configurable: { proposers: [{ model: "openai:x", baseURL: "http://127.0.0.1:9/v1" }], aggregator: "openai:agg" } },
        raiseError: true,
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(String(error)).toMatch(/MoAConfigError.*configurable\.proposers\[0\]: expected .*provider:model.* strings/);
    expect(models.requests.filter((r) => r.model === "x")).toHaveLength(0);
  }, 60_000);
});
