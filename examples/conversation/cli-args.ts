/**
 * The command line of the conversation example: flags in, {@link CliArgs} out, or a {@link UsageError}
 * that shows the usage.
 */
import { parseFlags, wholeNumber } from "../../tools/command-line.js";
import { UsageError } from "../../tools/usage-error.js";

/** The usage text printed by `--help` and after a bad flag. */
export const USAGE = `Usage: npm run conversation -- [options]

Talk to a Mixture-of-Agents: several models answer, an aggregator writes the final answer.

Options:
  --proposers <m1,m2,...>   proposer models, "provider:model" (openai:gpt-4o-mini, ollama:llama3.1,
                            google-genai:gemini-2.0-flash)
  --aggregator <m[,m2]>     the model that writes the answer (more than one: fallbacks in order)
  --layers <n>              proposer layers (default 1); or --rounds <n> = layers - 1
  --system <text>           a system prompt for the conversation
  --show-internal           print every proposal, labelled by layer and model
  --config <file.json>      options as JSON: { "proposers": [...], "aggregator": ..., "layers": 2,
                            "system": "...", "timeouts": {...}, ... }; flags override it
  --db <file | url>         keep conversations in this SQLite file, or in the PostgreSQL database of a
                            postgres://user@host:5432/db URL (shared by every process that uses it)
  --resume <id>             continue the conversation <id> kept in --db
  -y, --yes                 fetch the embedded default models without asking (see below)
  -h, --help                this help

Without --proposers, the models come from the environment: OPENAI_API_KEY (and OPENAI_BASE_URL for
an OpenAI-compatible server), GOOGLE_API_KEY or GEMINI_API_KEY, or the models a local Ollama serves
(OLLAMA_HOST, default http://127.0.0.1:11434). MOA_PROPOSERS and MOA_AGGREGATOR work like the flags.
With none of these, the example offers its embedded default: a Self-MoA of Qwen2.5-0.5B-Instruct run
in this process by llama.cpp ("llama-cpp:" models), fetched once into MOA_MODELS_DIR (default
~/.cache/langgraph-moa/models; HF_ENDPOINT names a mirror of the Hugging Face hub). It asks before the
download; --yes answers for you (needed when stdin is not a terminal).

Before the first question every model is checked: its key, its provider package, and its server (asked
for its model list, MOA_CHECK_TIMEOUT_MS, default 3000). Models that cannot answer are named and left
out; when the rest cannot answer either, the example says why and exits 1.

MOA_PRICES gives models prices per million tokens, as JSON, e.g.
  MOA_PRICES='{"openai:gpt-4o":{"inputPerMTok":2.5,"outputPerMTok":10,"cachedInputPerMTok":1.25}}'
and the line after each answer shows the turn's cost in the prices' currency.

In the conversation: /help, /reset (new conversation), /internal (show proposals on/off), /exit or
Ctrl-D. Ctrl-C cancels the answer being written; at the prompt it quits.
Piped input (not a terminal): one question per line, answers on stdout.`;

/** The flags as given; absent flags are undefined. */
export interface CliArgs {
  readonly proposers?: string[];
  readonly aggregator?: string[];
  readonly layers?: number;
  readonly rounds?: number;
  readonly system?: string;
  readonly showInternal?: boolean;
  readonly config?: string;
  readonly db?: string;
  readonly resume?: string;
  /** Fetch the embedded default models without asking. */
  readonly yes: boolean;
  readonly help: boolean;
}

/** Parses `argv` (without node and the script). Throws a {@link UsageError} for unknown or bad flags. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const values = parseFlags(argv, {
    proposers: { type: "string" },
    aggregator: { type: "string" },
    layers: { type: "string" },
    rounds: { type: "string" },
    system: { type: "string" },
    "show-internal": { type: "boolean" },
    config: { type: "string" },
    db: { type: "string" },
    resume: { type: "string" },
    yes: { type: "boolean", short: "y" },
    help: { type: "boolean", short: "h" },
  }, USAGE);
  return {
    proposers: modelList(values.proposers, "--proposers"),
    aggregator: modelList(values.aggregator, "--aggregator"),
    layers: wholeNumber(values.layers, "--layers", 1),
    rounds: wholeNumber(values.rounds, "--rounds", 0),
    system: values.system,
    showInternal: values["show-internal"],
    config: values.config,
    db: values.db,
    resume: values.resume,
    yes: values.yes ?? false,
    help: values.help ?? false,
  };
}

/**
 * A comma-separated list of models, from `flag` (a flag such as `--proposers`, or an environment
 * variable such as `MOA_PROPOSERS`); undefined when it is absent.
 */
export function modelList(value: string | undefined, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const models = value.split(",").map((model) => model.trim()).filter((model) => model !== "");
  const example = /^[A-Z][A-Z0-9_]*$/.test(flag) ? `${flag}=openai:gpt-4o-mini` : `${flag} openai:gpt-4o-mini`;
  if (models.length === 0) throw new UsageError(`${flag} needs at least one "provider:model", e.g. ${example}`);
  return models;
}
