/**
 * Isolates reading a thread back from a checkpoint: the default checkpoint serializer
 * (`JsonPlusSerializer.loadsTyped`, the one `MemorySaver`, SQLite and Postgres savers use) parses
 * the blob, walks it with an async reviver, and for every message re-stringifies it and hands it to
 * `@langchain/core`'s `load`, whose own async reviver walks it again and builds the message. Times
 * that on a serialized 20-message thread against `JSON.parse` plus constructing the same messages
 * from their fields, per message. A turn with a checkpointer pays this for every message of the
 * thread, so its cost grows with the thread.
 *
 *   node --import tsx bench/upstream/checkpoint-load.ts
 */
import { AIMessage, type BaseMessage, HumanMessage } from "@langchain/core/messages";
import { load } from "@langchain/core/load";
import { MemorySaver } from "@langchain/langgraph";
import { cpuPerOp, keep, progress, report } from "./harness.js";

const MESSAGES = 20;
const text = (i: number) => `Message ${i}: ${"a sentence of an ordinary answer, ".repeat(8)}`;
const thread: BaseMessage[] = Array.from({ length: MESSAGES }, (_, i) =>
  i % 2 === 0
    ? new HumanMessage({ content: text(i), id: `human-${i}` })
    : new AIMessage({
        content: text(i),
        id: `ai-${i}`,
        name: "aggregator",
        response_metadata: { model_name: "model", finish_reason: "stop" },
        usage_metadata: { input_tokens: 120, output_tokens: 80, total_tokens: 200 },
      }),
);

const serde = new MemorySaver().serde;
const [type, bytes] = await serde.dumpsTyped({ messages: thread });
const blob = new TextDecoder().decode(bytes);
const oneMessage = JSON.stringify(JSON.parse(blob).messages[1]);

interface Serialized {
  id: string[];
  kwargs: Record<string, unknown>;
}
const classes: Record<string, new (fields: never) => BaseMessage> = { HumanMessage, AIMessage };
/** The comparison: parse once and construct the messages from their fields, synchronously. */
function parseDirectly(json: string): { messages: BaseMessage[] } {
  const { messages } = JSON.parse(json) as { messages: Serialized[] };
  return { messages: messages.map(({ id, kwargs }) => new classes[id[id.length - 1]!]!(kwargs as never)) };
}

const viaSerde = (await serde.loadsTyped(type, bytes)) as { messages: BaseMessage[] };
const direct = parseDirectly(blob);
if (JSON.stringify(viaSerde.messages) !== JSON.stringify(direct.messages) || JSON.stringify(direct.messages) !== JSON.stringify(thread)) {
  throw new Error("the direct parse does not rebuild the same messages");
}

progress("checkpoint load: measuring");
const perThread = await cpuPerOp(
  {
    serde: async (ops) => {
      for (let i = 0; i < ops; i++) keep(await serde.loadsTyped(type, bytes));
    },
    direct: (ops) => {
      for (let i = 0; i < ops; i++) keep(parseDirectly(blob));
    },
    coreLoad: async (ops) => {
      for (let i = 0; i < ops * MESSAGES; i++) keep(await load(oneMessage));
    },
  },
  { ops: 300 },
);

report({
  id: "checkpoint-load",
  cause: "checkpoint read: async reviver + `load()` per message",
  unit: "message",
  us: (perThread.serde - perThread.direct) / MESSAGES,
  fix: "@langchain/langgraph-checkpoint dist/serde/jsonplus.js `_reviver` + @langchain/core dist/load/index.js `reviver`: revive synchronously, build messages from the parsed fields (no stringify/parse round trip per message)",
  detail: {
    "thread, messages": MESSAGES,
    "serialized thread, bytes": bytes.length,
    "JsonPlusSerializer.loadsTyped per message, µs": perThread.serde / MESSAGES,
    "JSON.parse + constructors per message, µs": perThread.direct / MESSAGES,
    "core load() of one message, µs": perThread.coreLoad / MESSAGES,
  },
});
