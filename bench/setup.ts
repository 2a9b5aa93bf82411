import { ChatOpenAI } from "@langchain/openai";
import { HumanMessage } from "@langchain/core/messages";
import { startOpenAIServer } from "../test/support/openai-server.js";
import type { ModelScript, ProtocolServer } from "../test/support/protocol-server.js";

/** One OpenAI-protocol server on 127.0.0.1 serving `models`, and clients pointed at it. */
export interface Bench {
  readonly server: ProtocolServer;
  /** A ChatOpenAI client for `model` on the bench server, without retries. */
  client(model: string): ChatOpenAI;
  close(): Promise<void>;
}

/** Starts the bench server. */
export async function startBench(models: Record<string, ModelScript>): Promise<Bench> {
  const server = await startOpenAIServer({ models });
  return {
    server,
    client: (model) => new ChatOpenAI({ model, apiKey: "sk-bench", configuration: { baseURL: `${server.url}/v1` }, maxRetries: 0 }),
    close: () => server.close(),
  };
}

/** A one-message conversation. */
export const question = () => [new HumanMessage("What are the trade-offs of a mixture of agents?")];

/** Prints a progress line that rewrites itself on a terminal, and a plain line elsewhere. */
export function progress(label: string, done: number, total: number): void {
  const line = `  ${label} ${done}/${total}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? "\n" : ""}`);
  else if (done === total) process.stderr.write(`${line}\n`);
}

/** How big a benchmark run is: `full` for the report, `quick` (each scenario in seconds) to check that it runs. */
export type Size = "full" | "quick";
