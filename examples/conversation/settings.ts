/**
 * Everything the conversation needs to start, merged from the flags, the `--config` file and, for the
 * models not given, the environment (flags win over the file, the file over the environment). The models'
 * prices come from `MOA_PRICES` (a price a config file gives a model wins).
 */
import type { MixtureOfAgentsOptions, ModelInput } from "../../src/index.js";
import { USAGE, parseCliArgs } from "./cli-args.js";
import { readConfigFile, type ConfigFile } from "./config-file.js";
import { discoverDefaultModels } from "./default-models.js";
import type { EmbeddedDefault } from "./embedded-models.js";
import { readModelPrices, withModelPrices } from "./model-prices.js";
import { UsageError } from "../../tools/usage-error.js";

/** The conversation's settings. */
export interface Settings {
  /** The MoA options, without a checkpointer. */
  readonly moa: MixtureOfAgentsOptions;
  readonly system?: string;
  readonly showInternal: boolean;
  /** The SQLite file that keeps conversations, if any. */
  readonly db?: string;
  /** The thread to continue. */
  readonly resume?: string;
  /** Where the models came from, e.g. `--proposers`, `moa.json`, `OPENAI_API_KEY`. */
  readonly source: string;
  /** Set when the models are the embedded default, whose files may still have to be fetched. */
  readonly embedded?: EmbeddedDefault;
  /** Fetch the embedded default without asking (`--yes`). */
  readonly yes?: boolean;
}

/** The outcome of reading the command line: settings, or the help text to print. */
export type SettingsOrHelp = { readonly help: string } | { readonly settings: Settings };

/** Reads `argv` and `env`. Throws a {@link UsageError} for bad flags, a bad config file or no models at all. */
export async function resolveSettings(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<SettingsOrHelp> {
  const args = parseCliArgs(argv);
  if (args.help) return { help: USAGE };
  const file: ConfigFile = args.config ? readConfigFile(args.config) : { moa: {} };
  const given = {
    proposers: args.proposers ?? asList(file.moa.proposers),
    aggregator: args.aggregator ?? asList(file.moa.aggregator),
  };
  const source = args.proposers ? "--proposers" : file.moa.proposers ? args.config ?? "config" : undefined;
  const prices = readModelPrices(env);
  const defaults = given.proposers === undefined ? await discoverDefaultModels(env) : undefined;
  const proposers = withModelPrices(given.proposers ?? defaults?.proposers ?? [], prices);
  const aggregator = withModelPrices(given.aggregator ?? defaults?.aggregator ?? [firstAsAggregator(proposers)], prices);
  const db = args.db ?? file.db;
  if (args.resume !== undefined && db === undefined) {
    throw new UsageError(`--resume needs --db <file | url>: only conversations kept in a SQLite file or a PostgreSQL database outlive the process.\n\n${USAGE}`);
  }
  const layers = args.layers ?? (args.rounds === undefined ? file.moa.layers : undefined);
  const rounds = args.rounds ?? (args.layers === undefined ? file.moa.rounds : undefined);
  return {
    settings: {
      moa: {
        ...file.moa,
        proposers,
        aggregator: aggregator.length === 1 ? (aggregator[0] as ModelInput) : aggregator,
        ...(layers === undefined ? {} : { layers }),
        ...(rounds === undefined ? {} : { rounds }),
      },
      system: args.system ?? file.system,
      showInternal: args.showInternal ?? file.showInternal ?? false,
      db,
      resume: args.resume,
      source: source ?? defaults?.source ?? "flags",
      ...(defaults?.embedded ? { embedded: defaults.embedded } : {}),
      yes: args.yes,
    },
  };
}

function asList(value: ModelInput | readonly ModelInput[] | undefined): ModelInput[] | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? [...(value as ModelInput[])] : [value as ModelInput];
}

/** The first proposer, once, as the aggregator when none is given. */
function firstAsAggregator(proposers: readonly ModelInput[]): ModelInput {
  const first = proposers[0];
  if (first === undefined) throw new UsageError("No proposer given: --proposers needs at least one model.");
  if (typeof first === "object" && "samples" in first) {
    const { samples: _samples, ...spec } = first;
    return spec;
  }
  return first;
}
