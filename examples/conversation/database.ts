/**
 * Where the conversation example keeps its threads with `--db`: a SQLite file, or a PostgreSQL database
 * given as a `postgres://` URL (LangGraph's production store, which several processes can share).
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { UsageError } from "../../tools/usage-error.js";

/** Whether `location` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather than a SQLite file. */
export function isDatabaseUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** `location` as it may be shown: a URL's password replaced by `***`. */
export function shownLocation(location: string): string {
  if (!isDatabaseUrl(location)) return location;
  try {
    const url = new URL(location);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return location.replace(/:[^:@/]*@/, ":***@");
  }
}

/**
 * Opens the threads store at `location`, creating its tables on first use.
 * @throws UsageError naming the store (its password hidden) and why it cannot be opened.
 */
export async function openDatabase(location: string): Promise<BaseCheckpointSaver> {
  try {
    if (!isDatabaseUrl(location)) return SqliteSaver.fromConnString(location);
    const saver = PostgresSaver.fromConnString(location);
    try {
      await saver.setup();
    } catch (error) {
      await saver.end().catch(() => undefined);
      throw error;
    }
    return saver;
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new UsageError(`Cannot open the database ${shownLocation(location)}: ${reason.replaceAll(location, shownLocation(location))}`);
  }
}

/** Closes a store opened by {@link openDatabase} (and nothing for an in-memory one). */
export async function closeDatabase(saver: BaseCheckpointSaver): Promise<void> {
  if (saver instanceof SqliteSaver && saver.db.open) saver.db.close();
  if (saver instanceof PostgresSaver) await saver.end();
}
