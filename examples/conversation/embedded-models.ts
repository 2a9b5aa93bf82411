/**
 * The embedded default: with no key and no Ollama, a Self-MoA of one small open model run in this
 * process by llama.cpp. Its file is fetched once, after the user agrees (or with --yes), with a progress
 * bar; once fetched, the conversation works offline.
 */
import { createInterface } from "node:readline/promises";
import { ChatNodeLlamaCpp, type ModelInput } from "../../src/index.js";
import { formatBytes } from "../../src/local/download-progress.js";
import { cachedModelPath, remoteModelSize, resolveModelsDirectory } from "../../src/local/model-files.js";
import { UsageError } from "../../tools/usage-error.js";
import { wrapIndented } from "./wrap.js";

/**
 * Qwen2.5-0.5B-Instruct (Apache-2.0), 8-bit: the smallest model of a family whose small sizes lead the
 * open models of their size on instruction following; Q8_0 keeps a model this small close to its full precision.
 */
export const EMBEDDED_MODEL = "hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q8_0.gguf";
const EMBEDDED_NAME = "Qwen2.5-0.5B-Instruct (Q8_0)";

/** The embedded default's models, and why it is offered. */
export interface EmbeddedDefault {
  /** Why no other model was found, e.g. `no API key is set and no Ollama answered at …`. */
  readonly why: string;
  /** The model URIs it needs (after `llama-cpp:`). */
  readonly models: readonly string[];
}

/** Samples per layer (Self-MoA: one model sampled several times, then aggregated by itself). */
const SAMPLES = 3;

/** The embedded default MoA: three samples of the model propose, the model aggregates at a lower temperature. */
export function embeddedDefault(why: string): { proposers: ModelInput[]; aggregator: ModelInput[]; source: string; embedded: EmbeddedDefault } {
  const model = `llama-cpp:${EMBEDDED_MODEL}`;
  return {
    proposers: [{ model, samples: SAMPLES, temperature: 0.7, maxTokens: 512 }],
    aggregator: [{ model, temperature: 0.3, maxTokens: 768 }],
    source: `${EMBEDDED_NAME}, run here by llama.cpp`,
    embedded: { why, models: [EMBEDDED_MODEL] },
  };
}

/** What else the user can do, shown when the embedded default is declined: lines wrapped to `width` columns. */
function alternatives(why: string, width: number): string {
  return [
    `No models to talk to: ${why}.`,
    "Do one of these:",
    `  - run \`npm run conversation -- --yes\` to fetch the embedded default, ${EMBEDDED_NAME}, and run it here;`,
    "  - set OPENAI_API_KEY (with OPENAI_BASE_URL for an OpenAI-compatible server), or GOOGLE_API_KEY / GEMINI_API_KEY;",
    "  - start Ollama (`ollama serve`, then `ollama pull llama3.2`), or point OLLAMA_HOST at one;",
    "  - name the models: --proposers openai:gpt-4o-mini,ollama:llama3.2 --aggregator openai:gpt-4o (or --config moa.json).",
  ].flatMap((line) => (line.startsWith("  - ") ? wrapIndented(line.slice(4), width, "  - ", "    ") : wrapIndented(line, width, ""))).join("\n");
}

/**
 * Makes sure the embedded default's files are here: with `yes`, or once the user agrees at a terminal
 * (told the model, its size and where it goes), each missing file is fetched with a progress bar on
 * stderr and the model loaded. Without `yes` when stdin is not a terminal, or when the user declines,
 * nothing is fetched and a {@link UsageError} (exit 2) says what else to do.
 */
export async function prepareEmbedded(embedded: EmbeddedDefault, yes: boolean, env: NodeJS.ProcessEnv): Promise<void> {
  const directory = resolveModelsDirectory(undefined, env);
  const missing = (await Promise.all(embedded.models.map(async (model) => ((await cachedModelPath(model, { directory })) === undefined ? [model] : [])))).flat();
  const width = process.stderr.isTTY ? (process.stderr.columns ?? 80) - 1 : Infinity;
  if (missing.length > 0 && !yes) {
    if (!process.stdin.isTTY) throw new UsageError(alternatives(embedded.why, width));
    const sizes = await Promise.all(missing.map((model) => remoteModelSize(model).catch(() => undefined)));
    const total = sizes.every((size) => size !== undefined) ? ` (${formatBytes(sizes.reduce((sum: number, size) => sum + (size ?? 0), 0))})` : " (size unknown: the hub did not answer)";
    const lines = [
      `${embedded.why[0]?.toUpperCase() ?? ""}${embedded.why.slice(1)}.`,
      `The embedded default is ${EMBEDDED_NAME}${total}, run here by llama.cpp; it is fetched once into ${directory}.`,
    ];
    process.stderr.write(`${lines.flatMap((line) => wrapIndented(line, width, "")).join("\n")}\n`);
    const agreed = await ask("Fetch it and start? [Y/n] ");
    if (!agreed) throw new UsageError(alternatives(embedded.why, width));
  }
  for (const model of embedded.models) {
    if (missing.includes(model)) process.stderr.write(`Fetching ${model} into ${directory}\n`);
    await new ChatNodeLlamaCpp({ model, modelsDir: directory }).load();
  }
}

/** Asks `question` on the terminal; Ctrl-C or Ctrl-D there is a no. */
async function ask(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const declined = new Promise<string>((resolve) => {
    rl.on("SIGINT", () => resolve("n"));
    rl.on("close", () => resolve("n"));
  });
  try {
    const answer = (await Promise.race([rl.question(question), declined])).trim().toLowerCase();
    return answer === "" || answer === "y" || answer === "yes";
  } finally {
    rl.close();
  }
}
