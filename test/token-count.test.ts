import { HumanMessage, type BaseMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProposersFailedError, createMixtureOfAgents } from "../src/index.js";
import { countingActivity, tokenCounter } from "../src/models/token-count.js";
import { pieceEnd } from "../src/models/text-pieces.js";
import { base64, prose } from "../tools/sample-texts.js";
import { seeded } from "../tools/seeded-random.js";
import { startOpenAIServer } from "./support/openai-server.js";
import type { ProtocolServer } from "./support/protocol-server.js";

const MB = 1 << 20;
/** Far above the ~10 ms slices counting takes; the benchmark (bench/REPORT.md) gives the real figure. */
const GENEROUS_BLOCK_MS = 200;


/** `text` in the pieces the counter encodes one by one. */
function pieces(text: string): string[] {
  const result: string[] = [];
  for (let start = 0; start < text.length; start = pieceEnd(text, start)) result.push(text.slice(start, pieceEnd(text, start)));
  return result;
}

/** js-tiktoken's own `o200k_base` encoding (slow to build: a second). */
async function tiktoken() {
  const { Tiktoken } = await import("js-tiktoken/lite");
  const { default: ranks } = await import("js-tiktoken/ranks/o200k_base");
  return new Tiktoken(ranks);
}

/** `work`, and the longest the event loop was held while it ran (ms). */
async function withLoopWatched<T>(work: () => Promise<T>): Promise<{ result: T; maxBlockMs: number }> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  try {
    // The monitor measures from its first tick on: a block before it would go unseen.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const result = await work();
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { result, maxBlockMs: delay.max / 1e6 };
  } finally {
    delay.disable();
  }
}

/** The characters the counter encoded during `work`. */
async function encodedDuring<T>(work: () => Promise<T>): Promise<{ result: T; encoded: number }> {
  const before = countingActivity().encodedChars;
  const result = await work();
  return { result, encoded: countingActivity().encodedChars - before };
}

describe("the o200k_base counter", () => {
  it("counts and cuts every kind of text piece by piece as js-tiktoken encodes each piece, through the remembered counts", async () => {
    const counter = await tokenCounter();
    const reference = await tiktoken();
    const referenceCount = (text: string) => pieces(text).reduce((sum, piece) => sum + reference.encode(piece, [], []).length, 0);
    const random = seeded(3);
    const mixed = Array.from({ length: 4000 }, () => {
      const r = random();
      if (r < 0.3) return String.fromCodePoint(0x20 + Math.floor(random() * 95));
      if (r < 0.5) return String.fromCodePoint(Math.floor(random() * 0x3000));
      if (r < 0.6) return String.fromCodePoint(0x1f300 + Math.floor(random() * 0x600));
      if (r < 0.7) return " \n\t\u3000\u00a0"[Math.floor(random() * 5)] as string;
      if (r < 0.75) return String.fromCharCode(0xd800 + Math.floor(random() * 0x800));
      return String.fromCodePoint(0x61 + Math.floor(random() * 26));
    }).join("");
    const texts = [
      prose(20_000, 1),
      base64(20_000, 1),
      mixed,
      "🧑🏽‍🚀".repeat(500),
      "日本語のテキストです。これはテストです。".repeat(100),
      "def f(x):\n    return x**2  # square\n\n\n".repeat(100),
      "Ünïcödé façade naïve café — “quotes” ‘x’ … I'm sure they'll've done it's OK <|endoftext|> 1234567 3.14159",
      "a".repeat(3_000),
    ];
    for (const text of texts) {
      expect(counter.count(text)).toBe(referenceCount(text));
      for (const tokens of [0, 1, 17, 400]) {
        let left = tokens;
        let kept = "";
        for (const piece of pieces(text)) {
          if (left === 0) break;
          const encoded = reference.encode(piece, [], []);
          kept += encoded.length <= left ? piece : reference.decode(encoded.slice(0, left)).replace(/\uFFFD+$/u, "");
          left = Math.max(0, left - encoded.length);
        }
        expect(counter.truncate(text, tokens)).toBe(kept);
        expect(await counter.truncateInSlices(text, tokens)).toBe(kept);
      }
    }
  });

  it("stops counting once past the tokens asked for, and goes on from there when asked for more", async () => {
    const counter = await tokenCounter();
    const text = prose(200_000, 2);
    const first = await encodedDuring(() => counter.countUpTo(text, 1_000));
    expect(first.result).toBeGreaterThan(1_000);
    expect(first.encoded).toBeLessThan(10_000);
    const whole = await encodedDuring(() => counter.countUpTo(text, Infinity));
    expect(first.encoded + whole.encoded).toBe(text.length);
    expect((await encodedDuring(() => counter.countUpTo(text, Infinity))).encoded).toBe(0);
  });

  it("counts a text that starts with a long text counted before from the end of that one, as a message with references appended", async () => {
    const counter = await tokenCounter();
    const reference = await tiktoken();
    const message = base64(100_000, 3);
    const tokens = counter.count(message);
    const appended = `${message}\n\nCandidate responses:\n\n1. An answer.`;
    const { result, encoded } = await encodedDuring(() => counter.countUpTo(appended, Infinity));
    expect(encoded).toBeLessThan(200);
    expect(result).toBeGreaterThan(tokens);
    expect(result).toBe(pieces(appended).reduce((sum, piece) => sum + reference.encode(piece, [], []).length, 0));
  });
});

describe("a 1 MB user message, with the input limit from the model's LangChain profile", () => {
  let server: ProtocolServer;
  beforeAll(async () => {
    server = await startOpenAIServer({ models: { "gpt-4o": { text: "An answer." }, "gpt-4.1": { text: "An answer." } } });
    // Loaded once per process, the counter and the modules of a turn are not what these tests watch.
    await tokenCounter();
    for (const model of ["gpt-4o", "gpt-4.1"]) await mixture(model).invoke({ messages: [new HumanMessage("Warm up.")] });
  });
  afterAll(() => server?.close());

  const client = (model: string) => new ChatOpenAI({ model, apiKey: "test-key", configuration: { baseURL: `${server.url}/v1` }, maxRetries: 0 });
  // No checkpointer: saving a turn's 1 MB of input holds the event loop too, and it is not what these tests watch.
  const mixture = (model: string) => createMixtureOfAgents({ proposers: [client(model), client(model), client(model)], aggregator: client(model) });
  const texts = { prose: (seed: number) => prose(MB, seed), base64: (seed: number) => base64(MB, seed) };

  for (const [kind, make] of Object.entries(texts)) {
    it(`${kind}: gpt-4o (128,000 tokens) refuses it without sending it, counting only as far as its budget, once for the turn, with the event loop never held long`, async () => {
      const graph = mixture("gpt-4o");
      expect(client("gpt-4o").profile.maxInputTokens).toBe(128_000);
      const text = make(10);
      const start = server.requests.length;
      const turn = () => graph.invoke({ messages: [new HumanMessage(text)] }).catch((error: unknown) => error);
      const { result, maxBlockMs } = await withLoopWatched(() => encodedDuring(turn));
      expect(ProposersFailedError.isInstance(result.result)).toBe(true);
      expect((result.result as ProposersFailedError).failures.map((f) => f.kind)).toEqual(["context_overflow", "context_overflow", "context_overflow"]);
      expect((result.result as Error).message).toMatch(/the request holds more than 115200 tokens, over 115200 \(90 % of the model's input limit of 128000 tokens\)/);
      expect(server.requests.length).toBe(start);
      // Three proposers, one count, stopped past the budget: less than the message.
      expect(result.encoded).toBeGreaterThan(0);
      expect(result.encoded).toBeLessThan(text.length);
      expect(maxBlockMs).toBeLessThan(GENEROUS_BLOCK_MS);
      const again = await encodedDuring(turn);
      expect(ProposersFailedError.isInstance(again.result)).toBe(true);
      expect(again.encoded).toBe(0);
    });

    it(`${kind}: gpt-4.1 (1,047,576 tokens) takes it, counted once in the first turn (not once per call) and not again in the next, with the event loop never held long`, async () => {
      const graph = mixture("gpt-4.1");
      expect(client("gpt-4.1").profile.maxInputTokens).toBe(1_047_576);
      const text = make(20);
      const question = new HumanMessage(text);
      const first = await withLoopWatched(() => encodedDuring(() => graph.invoke({ messages: [question] })));
      const answer = first.result.result.messages.at(-1);
      expect(answer?.text).toBe("An answer.");
      // The message once, and the references the aggregator's copy of it ends with.
      expect(first.result.encoded).toBeGreaterThanOrEqual(text.length);
      expect(first.result.encoded).toBeLessThan(text.length + 5_000);
      expect(first.maxBlockMs).toBeLessThan(GENEROUS_BLOCK_MS);
      // The next turn, as a caller without a checkpointer sends it: the conversation so far, in new messages.
      const conversation = [new HumanMessage(text), answer as BaseMessage, new HumanMessage("And in short?")];
      const next = await withLoopWatched(() => encodedDuring(() => graph.invoke({ messages: conversation })));
      expect(next.result.result.messages).toHaveLength(4);
      expect(next.result.encoded).toBeLessThan(5_000);
      expect(next.maxBlockMs).toBeLessThan(GENEROUS_BLOCK_MS);
    });
  }

  it("one run of 1 MB of emoji without a space is refused piece by piece, with the event loop never held long", async () => {
    const graph = mixture("gpt-4o");
    const run = `${"🧑🏽‍🚀🚀".repeat(MB / 10)}`;
    const { result, maxBlockMs } = await withLoopWatched(() => encodedDuring(() => graph.invoke({ messages: [new HumanMessage(run)] }).catch((error: unknown) => error)));
    expect(ProposersFailedError.isInstance(result.result)).toBe(true);
    expect((result.result as ProposersFailedError).failures.every((f) => f.kind === "context_overflow")).toBe(true);
    expect(result.encoded).toBeLessThan(run.length);
    expect(maxBlockMs).toBeLessThan(GENEROUS_BLOCK_MS);
  });

  it("a conversation of 400 messages of 4 KB is counted once: the next turn counts only its new message", async () => {
    const graph = mixture("gpt-4.1");
    const history: BaseMessage[] = Array.from({ length: 400 }, (_, i) => new HumanMessage(prose(4_096, 100 + i)));
    const chars = history.reduce((sum, message) => sum + message.text.length, 0);
    const first = await withLoopWatched(() => encodedDuring(() => graph.invoke({ messages: history })));
    const answer = first.result.result.messages.at(-1) as BaseMessage;
    expect(answer.text).toBe("An answer.");
    expect(first.result.encoded).toBeLessThan(chars + 5_000);
    expect(first.maxBlockMs).toBeLessThan(GENEROUS_BLOCK_MS);
    // The next turn, the conversation in new messages: their counts are remembered by text.
    const conversation = [...history.map((message) => new HumanMessage(message.text)), answer, new HumanMessage(prose(4_096, 99))];
    const next = await withLoopWatched(() => encodedDuring(() => graph.invoke({ messages: conversation })));
    expect(next.result.result.messages).toHaveLength(403);
    expect(next.result.encoded).toBeLessThan(4_096 + 5_000);
    expect(next.maxBlockMs).toBeLessThan(GENEROUS_BLOCK_MS);
  });
});
