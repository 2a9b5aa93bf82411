/**
 * The conversation example in a real terminal (tmux), against the local OpenAI-compatible server: what a
 * person sees while talking to the MoA, models that cannot answer said at start-up and failures said once
 * per cause, and a conversation continued by a second run (`--db`, `--resume`).
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi, type TestContext } from "vitest";
import { startOpenAIServer } from "../support/openai-server.js";
import type { ProtocolServer, RecordedRequest } from "../support/protocol-server.js";
import { closedPort } from "./support/closed-port.js";
import { ROOT, askedWithReferences, cleanEnv, dialogue, exampleCommand, lastUserText, makeTempDir, openaiModel, type TempDir } from "./support/example.js";
import { Terminal, startTmuxServer, stopTmuxServer } from "./support/tmux.js";
import { occurrences, showsWrapped, widestLine } from "./support/wrapping.js";

const SOCKET = `moa-terminal-${process.pid}`;
/** The prompt on the last line: the example waits for input. */
const PROMPT = /(^|\n)you>$/;
/** The line after each turn: time, calls, tokens in and out. */
const SUMMARY = /\d+\.\d s · \d+ calls?( \(\d+ failed\))?(, \d+ skipped)? · \d+ tokens in, \d+ out/g;

const ALPHA = "Alpha: blue light scatters the most in the air, so the sky looks blue to us.";
const BETA = "Beta: Rayleigh scattering.";
const RETIRED = "The model `retired` does not exist or you do not have access to it.";

/** The aggregator answers each question so a person can tell the answers apart. */
const answerTo = (request: RecordedRequest) => `Here is the mixed answer to "${lastUserText(request)}".`;

let server: ProtocolServer;
let temp: TempDir;
let configs = 0;

beforeAll(async () => {
  await startTmuxServer(SOCKET);
  server = await startOpenAIServer({
    models: {
      alpha: { text: ALPHA, usage: { input: 12, output: 7 } },
      beta: { text: BETA, latencyMs: 300, usage: { input: 11, output: 4 } },
      broken: { fault: { kind: "status", status: 500 } },
      sleepy: { text: "Sleepy: finally awake.", latencyMs: 60_000 },
      writer: { text: answerTo, chunkDelayMs: 15, usage: { input: 40, output: 9 } },
      notary: { text: (request) => `Noted: ${lastUserText(request)}` },
      cutter: { text: "The start of an answer that never ends", chunkDelayMs: 15, fault: { kind: "reset" } },
      // Listed, so the start-up check lets it through, but gone by the time it is called.
      retired: { fault: { kind: "status", status: 404, message: RETIRED } },
    },
  });
  temp = makeTempDir();
});
afterAll(async () => {
  await stopTmuxServer(SOCKET);
  await server?.close();
  temp?.remove();
});

/**
 * Starts the example with proposers named from the server's scripts, closed when the test ends;
 * resolves once the prompt shows.
 */
async function startConversation(test: TestContext, proposers: string[], flags: string[] = [], aggregator = "writer", columns?: number): Promise<Terminal> {
  configs += 1;
  const file = temp.json(`config-${configs}.json`, {
    proposers: proposers.map((name) => openaiModel(server.url, name)),
    aggregator: openaiModel(server.url, aggregator),
    retry: false,
  });
  const terminal = await Terminal.start({ socket: SOCKET, command: exampleCommand(["--config", file, ...flags]), env: cleanEnv(), cwd: ROOT, ...(columns ? { columns } : {}) });
  test.onTestFinished(() => terminal.close());
  await terminal.waitFor(PROMPT);
  return terminal;
}

/** The requests of the turn that asked `question` (the tests run at once, each with questions of its own). */
const requestsFor = (question: string, model?: string) =>
  server.requests.filter((r) => lastUserText(r) === question && (model === undefined || r.model === model));
const summaries = (screen: string) => screen.match(SUMMARY) ?? [];
/** `count` turns are over and the prompt waits again. */
const answered = (count: number) => (screen: string) => summaries(screen).length === count && PROMPT.test(screen);

// The tests run at once, each in its own terminal: a turn takes a moment, most of it waiting.
describe.concurrent("the conversation in a terminal", () => {
  it("holds a two-turn conversation: live status per proposer, the streamed answer, a summary line; the second turn sees the first", async (test) => {
    const terminal = await startConversation(test, ["alpha", "beta"], ["--system", "Answer in one sentence."]);
    const banner = await terminal.screen();
    expect(banner).toContain("Mixture-of-Agents · 2 proposers × 1 layer · answer by openai:writer");
    expect(banner).toContain("proposers: openai:alpha, openai:beta");
    expect(banner).toMatch(/thread [0-9a-f-]{36} \(in memory\)/);

    await terminal.type("Why is the sky blue?");
    const first = await terminal.waitFor(answered(1));
    expect(first).toContain("you> Why is the sky blue?");
    expect(first).toMatch(/layer 1 ✓ openai:alpha\s+done in \d+\.\d s/);
    expect(first).toMatch(/✓ openai:beta\s+done in \d+\.\d s/);
    expect(first).toContain('moa> Here is the mixed answer to "Why is the sky blue?".');
    expect(summaries(first)[0]).toMatch(/^\d+\.\d s · 3 calls · 63 tokens in, 20 out$/);

    await terminal.type("And at sunset?");
    const second = await terminal.waitFor(answered(2));
    expect(second).toContain('moa> Here is the mixed answer to "And at sunset?".');
    expect(dialogue(requestsFor("And at sunset?", "writer")[0])).toEqual([
      "user: Why is the sky blue?",
      'assistant: Here is the mixed answer to "Why is the sky blue?".',
      askedWithReferences("And at sunset?", [ALPHA, BETA]),
    ]);
    expect(requestsFor("And at sunset?", "writer")[0]?.messages[0]?.content).toMatch(/^Answer in one sentence\./);

    await terminal.type("/exit");
    await terminal.waitForExit();
  }, 90_000);

  it("--show-internal prints every proposal framed and labelled by layer and model; /internal hides them", async (test) => {
    const terminal = await startConversation(test, ["alpha", "beta"], ["--show-internal", "--layers", "2"]);
    await terminal.type("Why is the sea blue?");
    const screen = await terminal.waitFor(answered(1));
    for (const layer of [1, 2]) {
      expect(screen).toMatch(new RegExp(`┌ layer ${layer} · openai:alpha · \\d+\\.\\d s · 12 tokens in, 7 out\\n│ Alpha: blue light scatters the most in the air, so the sky looks blue to us\\.\\n└`));
      expect(screen).toMatch(new RegExp(`┌ layer ${layer} · openai:beta · \\d+\\.\\d s · 11 tokens in, 4 out\\n│ Beta: Rayleigh scattering\\.\\n└`));
      expect(screen).toMatch(new RegExp(`layer ${layer} ✓ openai:alpha`));
    }
    expect(summaries(screen)[0]).toMatch(/ 5 calls · /);

    await terminal.type("/internal");
    await terminal.waitFor("Proposals are hidden.");
    await terminal.type("Thanks!");
    const after = await terminal.waitFor(answered(2));
    expect(after.split("Proposals are hidden.")[1]).not.toContain("┌ layer");
  }, 90_000);

  it("marks an answer cut off when the aggregator fails while it streams, and keeps the question out of the conversation", async (test) => {
    const terminal = await startConversation(test, ["alpha"], [], "cutter");
    await terminal.type("Tell me everything.");
    const screen = await terminal.waitFor(/send it again\.\n(.*\n)*you>$/);
    expect(screen).toMatch(/moa> The .*\[answer cut off\]\n\s+✗ The turn failed: /);
    expect(screen).toContain("The question was not added to the conversation; send it again.");
  }, 90_000);

  it("shows a failed proposer as failed, with the reason, and still answers; /help and /reset", async (test) => {
    const terminal = await startConversation(test, ["alpha", "broken"]);
    await terminal.type("Why is grass green?");
    const screen = await terminal.waitFor(answered(1));
    expect(screen).toMatch(/layer 1 ✓ openai:alpha\s+done in \d+\.\d s/);
    expect(screen).toMatch(/✗ openai:broken\s+failed after \d+\.\d s\n/);
    expect(showsWrapped(screen, "✗ openai:broken failed: 500 The server had an error while processing your request (scripted 500 for broken).")).toBe(true);
    expect(screen).toContain('moa> Here is the mixed answer to "Why is grass green?".');
    expect(summaries(screen)[0]).toContain("3 calls (1 failed)");

    await terminal.type("/help");
    expect(await terminal.waitFor("/reset     start a new conversation")).toContain("/exit      quit (or Ctrl-D; Ctrl-C at the prompt)");
    await terminal.type("/reset");
    const reset = await terminal.waitFor(/New conversation: thread [0-9a-f-]{36}/);
    expect(reset.match(/thread ([0-9a-f-]{36})/g)?.length).toBe(2);
    await terminal.type("What about moss?");
    await terminal.waitFor(answered(2));
    expect(dialogue(requestsFor("What about moss?", "writer")[0])).toEqual([askedWithReferences("What about moss?", [ALPHA])]);
  }, 90_000);

  it("Ctrl-C during a turn cancels it and returns to the prompt; the next turn goes on without the cancelled question; Ctrl-C at the prompt quits", async (test) => {
    const terminal = await startConversation(test, ["alpha", "sleepy"]);
    await terminal.type("What is the meaning of life?");
    await terminal.waitFor((s) => /✓ openai:alpha\s+done in/.test(s) && /openai:sleepy\s+waiting \d/.test(s));
    const abortedBefore = server.abortedByClient;
    await terminal.press("C-c");
    const cancelled = await terminal.waitFor((s) => s.includes("Cancelled.") && PROMPT.test(s));
    expect(cancelled).toMatch(/⊘ openai:sleepy\s+cancelled after \d+\.\d s/);
    expect(cancelled).toContain("⊘ Cancelled. The question was not added to the conversation.");
    expect(cancelled).not.toContain("moa>");
    await vi.waitFor(() => expect(server.abortedByClient).toBeGreaterThan(abortedBefore), { timeout: 10_000 });

    server.setScript("sleepy", { text: "Sleepy: awake now." });
    await terminal.type("Why is snow white?");
    const reply = await terminal.waitFor(answered(1));
    expect(reply).toContain('moa> Here is the mixed answer to "Why is snow white?".');
    const afterCancel = requestsFor("Why is snow white?");
    expect(afterCancel.map((r) => r.model).sort()).toEqual(["alpha", "sleepy", "writer"]);
    for (const request of afterCancel) {
      expect(dialogue(request)).toEqual([request.model === "writer" ? askedWithReferences("Why is snow white?", [ALPHA, "Sleepy: awake now."]) : "user: Why is snow white?"]);
    }

    await terminal.press("C-c");
    await terminal.waitForExit();
  }, 90_000);

  it("with three default models and a server that is down, says so once, wrapped between words, before any banner, and exits 1", async (test) => {
    const port = await closedPort();
    const env = cleanEnv({ OPENAI_API_KEY: "sk-default-secret", OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` });
    // The shell shows the exit status on the screen (tmux's own record of it is not reliable).
    const command = ["sh", "-c", '"$@"; echo "[exit status $?]"', "sh", ...exampleCommand([])];
    const terminal = await Terminal.start({ socket: SOCKET, command, env, cwd: ROOT, columns: 60 });
    test.onTestFinished(() => terminal.close());
    await terminal.waitForExit();
    const screen = await terminal.screen();
    expect(screen).toMatch(/^\[exit status 1\]$/m);
    expect(screen).toMatch(/^No model can be used, so the conversation cannot start:/);
    expect(showsWrapped(screen, `2 models (openai:gpt-4o-mini, openai:gpt-4o): cannot reach http://127.0.0.1:${port}/v1 (ECONNREFUSED); check that the server runs, or set OPENAI_BASE_URL`)).toBe(true);
    expect(occurrences(screen, "cannot reach")).toBe(1);
    expect(widestLine(screen)).toBeLessThanOrEqual(59);
    expect(screen).not.toContain("Mixture-of-Agents");
    expect(screen).not.toContain("you>");
    expect(screen).not.toContain("sk-default-secret");
  }, 90_000);

  it("says a missing key before the banner and goes on without that model, which no turn then shows as failed", async (test) => {
    configs += 1;
    const file = temp.json(`config-${configs}.json`, { proposers: ["openai:gpt-4o-mini", openaiModel(server.url, "alpha")], aggregator: openaiModel(server.url, "writer"), retry: false });
    const terminal = await Terminal.start({ socket: SOCKET, command: exampleCommand(["--config", file]), env: cleanEnv(), cwd: ROOT, columns: 80 });
    test.onTestFinished(() => terminal.close());
    const start = await terminal.waitFor(PROMPT);
    const [before = "", banner = ""] = start.split("Mixture-of-Agents");
    expect(before).toContain("Left out, as they cannot be used:");
    expect(showsWrapped(before, 'openai:gpt-4o-mini: no API key; set OPENAI_API_KEY, or give "apiKey" in the model\'s spec')).toBe(true);
    expect(showsWrapped(before, "Going on with proposer openai:alpha and aggregator openai:writer.")).toBe(true);
    expect(banner).toContain("· 1 proposer × 1 layer · answer by openai:writer");

    await terminal.type("Is anyone missing?");
    const screen = await terminal.waitFor(answered(1));
    expect(screen).toMatch(/layer 1 ✓ openai:alpha\s+done in/);
    expect(screen).not.toContain("✗");
    expect(summaries(screen)[0]).toMatch(/ 2 calls · /);
  }, 90_000);

  it("groups proposers that failed alike: the cause once, word-wrapped to the terminal, under the turn's failure", async (test) => {
    configs += 1;
    const file = temp.json(`config-${configs}.json`, { proposers: [{ ...(openaiModel(server.url, "broken") as object), samples: 3 }], aggregator: openaiModel(server.url, "writer"), retry: false });
    const terminal = await Terminal.start({ socket: SOCKET, command: exampleCommand(["--config", file]), env: cleanEnv(), cwd: ROOT, columns: 60 });
    test.onTestFinished(() => terminal.close());
    await terminal.waitFor(PROMPT);
    await terminal.type("Will this work?");
    const screen = await terminal.waitFor((s) => s.includes("✗ The turn failed") && PROMPT.test(s));
    const failure = screen.slice(screen.indexOf("✗ The turn failed"));
    expect(showsWrapped(failure, "✗ The turn failed: Layer 1: 0 proposal(s) succeeded, at least 1 required (minProposals).")).toBe(true);
    expect(showsWrapped(failure, "- openai:broken ×3: 500 The server had an error while processing your request (scripted 500 for broken).")).toBe(true);
    expect(occurrences(screen, "scripted 500 for broken")).toBe(1);
    expect(widestLine(failure)).toBeLessThanOrEqual(59);
  }, 90_000);

  it("asks a proposer whose model is gone (HTTP 404) once a turn, shows its whole error once with the fix, wrapped, and asks it again next turn", async (test) => {
    const terminal = await startConversation(test, ["alpha", "retired"], ["--layers", "2"], "writer", 80);
    await terminal.type("Is it still there?");
    const screen = await terminal.waitFor(answered(1));
    expect(requestsFor("Is it still there?", "retired")).toHaveLength(1);
    expect(screen).toMatch(/layer 1 ✓ openai:alpha\s+done in \d+\.\d s\n\s+✗ openai:retired\s+failed after \d+\.\d s\n/);
    expect(screen).toMatch(/layer 2 ✓ openai:alpha\s+done in \d+\.\d s\n\s+✗ openai:retired\s+not called: failed in layer 1\n/);
    const fix = `check the model's name (GET ${server.url}/v1/models lists the models the server has)`;
    expect(showsWrapped(screen, `✗ openai:retired failed: 404 ${RETIRED.replace(/\.$/, "")}; ${fix}`)).toBe(true);
    expect(occurrences(screen, "does not exist")).toBe(1);
    expect(widestLine(screen)).toBeLessThanOrEqual(79);
    expect(summaries(screen)[0]).toMatch(/ 4 calls \(1 failed\), 1 skipped · /);

    await terminal.type("And now?");
    const next = await terminal.waitFor(answered(2));
    expect(requestsFor("And now?", "retired")).toHaveLength(1);
    expect(occurrences(next, "does not exist")).toBe(2);
  }, 90_000);

  it("keeps the conversation in --db; a second run with --resume <id> shows where it was and continues it", async () => {
    const db = join(temp.path, "chats.sqlite");
    const config = temp.json("kept.json", { proposers: [openaiModel(server.url, "alpha")], aggregator: openaiModel(server.url, "notary") });
    const start = (flags: string[]) => Terminal.start({ socket: SOCKET, command: exampleCommand(["--config", config, "--db", db, ...flags]), env: cleanEnv(), cwd: ROOT, columns: 220 });

    const first = await start([]);
    try {
      const banner = await first.waitFor(PROMPT);
      const threadId = /continue it later with: --db \S+ --resume ([0-9a-f-]{36})/.exec(banner)?.[1];
      expect(threadId).toBeDefined();
      await first.type("My name is Ada.");
      expect(await first.waitFor(answered(1))).toContain("moa> Noted: My name is Ada.");
      await first.type("/exit");
      await first.waitForExit();

      const second = await start(["--resume", threadId ?? ""]);
      try {
        const resumed = await second.waitFor(PROMPT);
        expect(resumed).toContain(`thread ${threadId}, kept in ${db}`);
        expect(resumed).toContain("Resumed: 1 earlier question; the last exchange was:");
        expect(resumed).toMatch(/you> My name is Ada\.\n\s+moa> Noted: My name is Ada\./);
        await second.type("What is my name?");
        expect(await second.waitFor(answered(1))).toContain("moa> Noted: What is my name?");
        const request = server.requests.filter((r) => r.model === "notary").at(-1);
        expect(dialogue(request)).toEqual(["user: My name is Ada.", "assistant: Noted: My name is Ada.", askedWithReferences("What is my name?", [ALPHA])]);
        await second.press("C-d");
        await second.waitForExit();
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  }, 90_000);
});
