/**
 * An interactive multi-turn conversation with a Mixture-of-Agents.
 *
 *   npm run conversation -- --proposers openai:gpt-4o-mini,ollama:llama3.1 --aggregator openai:gpt-4o --layers 2
 *
 * Type a message and press Enter; `/exit` (or Ctrl-D) quits, `/reset` starts a new conversation.
 */
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { MoAError, createMixtureOfAgents, formatProposal, type ProposalEvent } from "../src/index.js";

const USAGE = `Usage: npm run conversation -- --proposers <model,model,...> --aggregator <model> [--layers N | --rounds N] [--system TEXT] [--show-internal]
Models are "provider:model" strings, e.g. openai:gpt-4o-mini, ollama:llama3.1, google-genai:gemini-2.0-flash.
Keys come from OPENAI_API_KEY, GOOGLE_API_KEY; Ollama from OLLAMA_HOST (default http://127.0.0.1:11434).`;

function readOptions() {
  const { values } = parseArgs({
    options: {
      proposers: { type: "string", default: process.env.MOA_PROPOSERS },
      aggregator: { type: "string", default: process.env.MOA_AGGREGATOR },
      layers: { type: "string" },
      rounds: { type: "string" },
      system: { type: "string" },
      "show-internal": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (!values.proposers || !values.aggregator) {
    console.error(`No models configured: give --proposers and --aggregator (or set MOA_PROPOSERS and MOA_AGGREGATOR).\n\n${USAGE}`);
    process.exit(2);
  }
  return {
    proposers: values.proposers.split(",").map((m) => m.trim()).filter(Boolean),
    aggregator: values.aggregator,
    layers: values.layers === undefined ? undefined : Number(values.layers),
    rounds: values.rounds === undefined ? undefined : Number(values.rounds),
    system: values.system,
    showInternal: values["show-internal"],
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  let graph;
  try {
    graph = createMixtureOfAgents({ ...options, checkpointer: new MemorySaver() });
  } catch (error) {
    console.error(MoAError.isInstance(error) ? error.message : String(error));
    process.exit(2);
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
  let threadId = randomUUID();
  let firstTurn = true;
  for (;;) {
    let line: string;
    try {
      line = (await rl.question("you> ")).trim();
    } catch {
      break; // Ctrl-D / end of input
    }
    if (line === "") continue;
    if (line === "/exit") break;
    if (line === "/reset") {
      threadId = randomUUID();
      firstTurn = true;
      console.log("(new conversation)");
      continue;
    }
    const messages: BaseMessage[] = firstTurn && options.system ? [new SystemMessage(options.system)] : [];
    messages.push(new HumanMessage(line));
    try {
      const stream = await graph.stream({ messages }, { configurable: { thread_id: threadId }, streamMode: ["messages", "custom"] });
      process.stdout.write("moa> ");
      for await (const [mode, payload] of stream) {
        if (mode === "custom" && options.showInternal) console.log(`\n${formatProposal(payload as ProposalEvent)}\n`);
        if (mode === "messages") {
          const [chunk, metadata] = payload as [BaseMessage, Record<string, unknown>];
          if (metadata.moa_role === "aggregator") process.stdout.write(chunk.text);
        }
      }
      process.stdout.write("\n");
      firstTurn = false;
    } catch (error) {
      console.error(`\nThe turn failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  rl.close();
}

await main();
