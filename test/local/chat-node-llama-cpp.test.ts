/**
 * ChatNodeLlamaCpp, the chat model over the real llama.cpp engine (node-llama-cpp's CPU build), on a
 * tiny random-weight model: LangChain's chat-model contract (fields, getLsParams, bindTools in every
 * tool form, withStructuredOutput), streaming with callbacks, usage and the sequence cache, abort within
 * a token or two, one loaded model and one context for concurrent calls, tools and structured output
 * under grammars (the only answers random weights give deterministically), and refused input.
 */
import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { ContextOverflowError } from "@langchain/core/errors";
import { tool } from "@langchain/core/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ChatNodeLlamaCpp, MoAInputError } from "../../src/index.js";
import { openLocalEngine } from "../../src/local/local-engine.js";
import { useTinyGguf } from "../support/tiny-gguf.js";
import { configError } from "../support/config-error.js";

const tinyModel = useTinyGguf();
/** A test's bound: llama.cpp shares 2 cores with the rest of a loaded CI machine. */
const ENGINE_TEST_MS = 90_000;

const chatOf = (fields: Partial<ConstructorParameters<typeof ChatNodeLlamaCpp>[0]> = {}) =>
  new ChatNodeLlamaCpp({ model: tinyModel().path, gpu: false, threads: 1, temperature: 0.8, maxTokens: 24, ...fields });

const weather = tool(async ({ city }) => `sunny in ${city}`, {
  name: "get_weather",
  description: "The weather in a city",
  // Types and enums the grammar enforces (random weights may write any digits: numeric bounds it does not).
  schema: z.object({ city: z.enum(["Paris", "Rome"]), metric: z.boolean() }),
});

describe("the chat-model contract", { timeout: ENGINE_TEST_MS }, () => {
  it("takes LangChain's standard fields and reports them to LangSmith", () => {
    const chat = chatOf({ temperature: 0.3, maxTokens: 50, stopSequences: ["END"], callbacks: [], tags: ["t"], metadata: { a: 1 }, verbose: false, cache: false, maxRetries: 1, maxConcurrency: 2 });
    expect(chat.getLsParams({} as never)).toEqual({ ls_provider: "llama-cpp", ls_model_name: tinyModel().path, ls_model_type: "chat", ls_temperature: 0.3, ls_max_tokens: 50, ls_stop: ["END"] });
    expect(chat._llmType()).toBe("node-llama-cpp");
    expect(ChatNodeLlamaCpp.lc_name()).toBe("ChatNodeLlamaCpp");
  });

  it("reports its input limit in its profile: the context a call holds less maxTokens, exact once loaded", async () => {
    const chat = chatOf({ maxTokens: 100, contextSize: 1000 });
    expect(chat.profile).toEqual({ maxInputTokens: 900, imageInputs: false, toolCalling: true, structuredOutput: true });
    await chat.load();
    // llama.cpp rounds a context up to a multiple of 256.
    expect(chat.profile.maxInputTokens).toBe(1024 - 100);
    const byDefault = chatOf({ maxTokens: 100, sequences: 3 });
    await byDefault.load();
    expect(byDefault.profile.maxInputTokens).toBe(tinyModel().shape.contextLength - 100);
  });

  it("refuses invalid fields at construction, naming the field and what is valid", () => {
    expect(configError(() => chatOf({ temperature: -1 })).message).toBe("Invalid temperature: expected a number >= 0; got -1");
    expect(configError(() => chatOf({ topP: 2 })).option).toBe("topP");
    expect(configError(() => chatOf({ gpu: "tpu" as never })).message).toMatch(/^Invalid gpu: expected "auto", false, "cuda", "vulkan" or "metal"/);
    expect(configError(() => new ChatNodeLlamaCpp({ model: " " })).message).toMatch(/^Invalid model: expected a \.gguf path, an https:\/\/ URL or an "hf:<user>\/<repo>:<quant>" URI/);
  });

  it("binds every tool form LangChain takes, and refuses a tool_choice that names no tool", () => {
    const chat = chatOf();
    const forms = [
      weather,
      { name: "lookup", description: "look up", schema: z.object({ q: z.string() }) },
      { type: "function", function: { name: "raw", description: "raw", parameters: { type: "object", properties: { x: { type: "number" } } } } },
    ];
    const bound = chat.bindTools(forms, { tool_choice: "lookup" }) as unknown as { config: { tools: Array<{ function: { name: string } }>; tool_choice: string } };
    expect(bound.config.tools.map((t) => t.function.name)).toEqual(["get_weather", "lookup", "raw"]);
    expect(bound.config.tool_choice).toBe("lookup");
    expect(configError(() => chat.bindTools([weather], { tool_choice: "nope" })).message).toMatch(/names no bound tool; expected "auto", "none", "any", "required" or one of: get_weather/);
  });

  it("refuses an unknown structured-output method", () => {
    expect(configError(() => chatOf().withStructuredOutput(z.object({ a: z.string() }), { method: "xml" as never })).message).toMatch(/expected "jsonSchema", "jsonMode" or "functionCalling"/);
  });
});

describe("calls on the real engine", { timeout: ENGINE_TEST_MS }, () => {
  it("answers with usage_metadata and a finish reason, and streams token by token through callbacks", async () => {
    const chat = chatOf();
    const tokens: string[] = [];
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await chat.stream([new HumanMessage("Tell me about the river.")], { callbacks: [{ handleLLMNewToken: (token: string) => void tokens.push(token) }] })) chunks.push(chunk);
    const whole = chunks.reduce((a, b) => a.concat(b));
    expect(chunks.length).toBeGreaterThan(2);
    expect(tokens.join("")).toBe(whole.content);
    expect(whole.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(whole.usage_metadata?.output_tokens).toBeLessThanOrEqual(24);
    expect(whole.usage_metadata?.input_tokens).toBeGreaterThan(5);
    expect(["stop", "length"]).toContain(whole.response_metadata.finish_reason);
    expect(whole.response_metadata.model_provider).toBe("llama-cpp");
  });

  it("follows a thread: the next turn reads the earlier one from the sequence's cache", async () => {
    const chat = chatOf({ sequences: 1, contextSize: 1024 });
    const first = [new SystemMessage("You are brief."), new HumanMessage("Tell me about the river.")];
    const a1 = await chat.invoke(first);
    const a2 = await chat.invoke([...first, a1, new HumanMessage("And the fish?")]);
    expect(a2.usage_metadata?.input_tokens).toBeGreaterThan(a1.usage_metadata?.input_tokens ?? Infinity);
    // Everything up to the first answer's last token was evaluated by the first call already.
    expect(a2.usage_metadata?.input_token_details?.cache_read).toBeGreaterThanOrEqual(a1.usage_metadata?.input_tokens ?? Infinity);
  });

  it("stops within a token or two of an abort, and rejects with the signal's reason", async () => {
    const chat = chatOf({ maxTokens: 400, endless: undefined } as never);
    const controller = new AbortController();
    let afterAbort = 0;
    let aborted = false;
    const call = chat.invoke([new HumanMessage("Tell me a long story about the river.")], {
      signal: controller.signal,
      callbacks: [{
        handleLLMNewToken: () => {
          if (aborted) afterAbort += 1;
          else if (!aborted) {
            aborted = true;
            controller.abort(new Error("stop now"));
          }
        },
      }],
    });
    await expect(call).rejects.toThrow("stop now");
    expect(afterAbort).toBeLessThanOrEqual(2);
  });

  it("runs concurrent calls on sequences of one context of one loaded model", async () => {
    const chats = [chatOf({ seed: 1 }), chatOf({ seed: 2 }), chatOf({ seed: 3, temperature: 0.5 })];
    const engine = await openLocalEngine(chats[0]!.engineSettings);
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, engine.pool.inUse)), 1);
    const answers = await Promise.all(chats.map((chat) => chat.invoke([new HumanMessage("Tell me about the river.")])));
    clearInterval(watch);
    expect(answers.every((a) => (a.usage_metadata?.output_tokens ?? 0) > 0)).toBe(true);
    expect(most).toBe(3);
    for (const chat of chats) expect((await openLocalEngine(chat.engineSettings)).model).toBe(engine.model);
    expect(engine.pool.inUse).toBe(0);
  });

  it("samples each call with a seed of its own: calls started together do not answer alike", async () => {
    const answers = await Promise.all([1, 2, 3].map(() => chatOf({ maxTokens: 16 }).invoke([new HumanMessage("Tell me about the river.")])));
    expect(new Set(answers.map((a) => a.content)).size).toBe(3);
  });

  it("a stream left early stops its generation before the sequence serves the next call", async () => {
    const chat = chatOf({ sequences: 1, contextSize: 512, maxTokens: 200 });
    let taken = 0;
    for await (const _chunk of await chat.stream([new HumanMessage("Tell me a long story.")])) if (++taken > 3) break;
    const next = await chatOf({ sequences: 1, contextSize: 512, maxTokens: 12 }).invoke([new HumanMessage("And then?")]);
    expect(next.usage_metadata?.output_tokens).toBeLessThanOrEqual(12);
    expect(next.usage_metadata?.input_tokens).toBeGreaterThan(5);
  });

  it("refuses a prompt over its context with LangChain's ContextOverflowError, rather than answering a cut conversation", async () => {
    const error = await chatOf({ contextSize: 256 }).invoke([new HumanMessage("river ".repeat(400))]).catch((e: unknown) => e);
    expect(ContextOverflowError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^the prompt is \d+ tokens, over the context window of .*: a call holds 256 tokens \(contextSize\)/);
  });

  it("makes more calls than sequences wait for a free one", async () => {
    const chat = chatOf({ sequences: 2, contextSize: 512, maxTokens: 8 });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((i) => chat.invoke([new HumanMessage(`Question ${i} about the river.`)])));
    expect(answers).toHaveLength(5);
    expect(answers.every((a) => (a.usage_metadata?.output_tokens ?? 0) > 0)).toBe(true);
  });
});

describe("tools and structured output under a grammar", { timeout: ENGINE_TEST_MS }, () => {
  it("a forced tool_choice writes a call whose arguments fit the tool's schema", async () => {
    const message = await chatOf({ maxTokens: 300 }).bindTools([weather], { tool_choice: "get_weather" }).invoke([new HumanMessage("Weather in Paris?")]);
    expect(message.tool_calls).toHaveLength(1);
    const [call] = message.tool_calls ?? [];
    expect(call?.name).toBe("get_weather");
    expect(weather.schema.safeParse(call?.args).success).toBe(true);
    expect(call?.id).toMatch(/^call_/);
    expect(message.response_metadata.finish_reason).toBe("tool_calls");
  });

  it('"any" picks one of several tools, always a whole call', async () => {
    const other = tool(async () => "ok", { name: "get_time", description: "time", schema: z.object({ zone: z.enum(["UTC", "CET"]) }) });
    const message = await chatOf({ maxTokens: 300 }).bindTools([weather, other], { tool_choice: "any" }).invoke([new HumanMessage("Which?")]);
    const [call] = message.tool_calls ?? [];
    expect(["get_weather", "get_time"]).toContain(call?.name);
    expect((call?.name === "get_weather" ? weather : other).schema.safeParse(call?.args).success).toBe(true);
  });

  it("a call cut at maxTokens is reported among invalid_tool_calls, not as a call", async () => {
    const talkative = tool(async () => "ok", { name: "note", description: "note", schema: z.object({ text: z.string() }) });
    const message = await chatOf({ maxTokens: 6 }).bindTools([talkative], { tool_choice: "note" }).invoke([new HumanMessage("Write.")]);
    expect(message.tool_calls).toEqual([]);
    expect(message.invalid_tool_calls?.[0]?.name).toBe("note");
    expect(message.response_metadata.finish_reason).toBe("length");
  });

  it("reads tool results in the history as function calls of the assistant's answer", async () => {
    const history = [
      new HumanMessage("Weather in Rome?"),
      new AIMessage({ content: "", tool_calls: [{ id: "c1", name: "get_weather", args: { city: "Rome", metric: true } }] }),
      new ToolMessage({ tool_call_id: "c1", content: "sunny in Rome" }),
    ];
    const answer = await chatOf().bindTools([weather]).invoke(history);
    expect(answer.usage_metadata?.input_tokens).toBeGreaterThan(20);
  });

  it.each(["jsonSchema", "functionCalling"] as const)("withStructuredOutput (%s) returns the parsed object", async (method) => {
    const schema = z.object({ answer: z.enum(["yes", "no"]), sure: z.boolean() });
    const result = await chatOf({ maxTokens: 300 }).withStructuredOutput(schema, { method, includeRaw: true }).invoke([new HumanMessage("Is the river long?")]);
    expect(schema.safeParse(result.parsed).success).toBe(true);
    expect(AIMessage.isInstance(result.raw) || AIMessageChunk.isInstance(result.raw)).toBe(true);
  });

  it("jsonMode answers with JSON", async () => {
    const raw = await chatOf({ maxTokens: 300 }).withConfig({ responseFormat: { type: "json_object" } }).invoke([new HumanMessage("JSON please")]);
    const text = String(raw.content);
    expect(text.trimStart().startsWith("{") || text.trimStart().startsWith("[")).toBe(true);
  });
});

describe("input a local text model cannot read", { timeout: ENGINE_TEST_MS }, () => {
  it("an empty conversation, an image part, a tool result that answers nothing, and a tool call left unanswered", async () => {
    const chat = chatOf();
    await expect(chat.invoke([])).rejects.toThrow("the conversation is empty: give at least one message (e.g. a HumanMessage)");
    const image = new HumanMessage({ content: [{ type: "text", text: "what is this" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] });
    await expect(chat.invoke([image])).rejects.toThrow(/message 0 holds a "image_url" part; local models read text only/);
    await expect(chat.invoke([new HumanMessage("q"), new ToolMessage({ tool_call_id: "x", content: "r" })])).rejects.toThrow(MoAInputError);
    const unanswered = [new HumanMessage("q"), new AIMessage({ content: "", tool_calls: [{ id: "c9", name: "get_weather", args: {} }] }), new HumanMessage("next")];
    await expect(chat.invoke(unanswered)).rejects.toThrow(/the tool call\(s\) c9 have no result/);
  });

  it("a model path that does not exist names the path", async () => {
    await expect(chatOf({ model: `${tinyModel().dir}/missing.gguf` }).invoke([new HumanMessage("q")])).rejects.toThrow(/missing\.gguf/);
  });
});
