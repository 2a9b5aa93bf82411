/**
 * The conversation example's program: settings from the flags, the config file and the environment, the
 * models checked, then the interactive conversation in a terminal, or the piped one when stdin or stdout
 * is not a terminal.
 */
import type { MixtureOfAgentsOptions } from "../../src/index.js";
import { createStyle, type Style } from "./ansi.js";
import { banner, resumedHistory } from "./banner.js";
import { Conversation } from "./conversation.js";
import { shownLocation } from "./database.js";
import { aggregatorNames, proposerIds } from "./model-names.js";
import { runPiped } from "./piped.js";
import { runRepl } from "./repl.js";
import { resolveSettings, type Settings } from "./settings.js";
import { checkAtStart } from "./start-up-check.js";
import { prepareEmbedded } from "./embedded-models.js";
import type { MoAShape } from "./terminal-turn-view.js";
import { failureText } from "./turn-summary.js";
import { UsageError } from "../../tools/usage-error.js";

/** Runs the example with `argv` (flags only) and `env`; resolves with the process's exit code. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const resolved = await resolveSettings(argv, env);
    if ("help" in resolved) {
      process.stdout.write(`${resolved.help}\n`);
      return 0;
    }
    if (resolved.settings.embedded) await prepareEmbedded(resolved.settings.embedded, resolved.settings.yes ?? false, env);
    // Keys, packages and servers are checked before anything is drawn: a model that cannot answer is
    // said now, not after the first question.
    const width = process.stderr.isTTY ? (process.stderr.columns ?? 80) - 1 : Infinity;
    const { settings, notes } = await checkAtStart(resolved.settings, env, width);
    if (notes.length > 0) process.stderr.write(`${notes.join("\n")}\n`);
    const conversation = await Conversation.open(settings);
    try {
      return process.stdin.isTTY && process.stdout.isTTY ? await interactive(conversation, settings) : await piped(conversation, settings);
    } finally {
      await conversation.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`moa: ${failureText(error)}\n${env.MOA_DEBUG ? `${(error as Error).stack ?? ""}\n` : ""}`);
    return 1;
  }
}

async function interactive(conversation: Conversation, settings: Settings): Promise<number> {
  const style = createStyle(process.stdout);
  const shape = shapeOf(settings.moa);
  const [, ...fallbacks] = aggregatorNames(settings.moa.aggregator ?? []);
  const columns = process.stdout.columns ?? 80;
  const resumed = settings.resume === undefined ? undefined : await resumeNote(conversation, settings, columns, style);
  const db = settings.db === undefined ? undefined : shownLocation(settings.db);
  const facts = { ...shape, fallbacks, source: settings.source, threadId: conversation.threadId, db, system: settings.system, resumed };
  process.stdout.write(banner(facts, columns, style));
  return runRepl({ conversation, shape, style, showInternal: settings.showInternal, ...(db ? { db } : {}) });
}

/** What a resumed thread holds: its last exchange, or a note that it is new. */
async function resumeNote(conversation: Conversation, settings: Settings, columns: number, style: Style): Promise<string> {
  const history = await conversation.history();
  if (history.length > 0) return resumedHistory(history, columns, style);
  return `${style.yellow(`No conversation ${settings.resume ?? ""} in ${settings.db === undefined ? "the database" : shownLocation(settings.db)} yet: it starts now.`)}\n`;
}

async function piped(conversation: Conversation, settings: Settings): Promise<number> {
  if (settings.db !== undefined && settings.resume === undefined) {
    process.stderr.write(`moa: thread ${conversation.threadId} (continue it with --db ${shownLocation(settings.db)} --resume ${conversation.threadId})\n`);
  }
  return runPiped(conversation, settings.showInternal);
}

/** The MoA's shape for the status lines: proposer names, aggregator, layers, quorum of a layer. */
function shapeOf(moa: MixtureOfAgentsOptions): MoAShape {
  return {
    proposerIds: proposerIds(moa.proposers),
    aggregator: aggregatorNames(moa.aggregator ?? [])[0] ?? "aggregator",
    layers: moa.layers ?? (moa.rounds === undefined ? 1 : moa.rounds + 1),
    minProposals: moa.minProposals ?? 1,
  };
}
