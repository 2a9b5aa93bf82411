/**
 * One playground per state directory: LangGraph Server's dev store is written whole by whichever server
 * writes last, so two servers on one directory lose each other's threads. The lock file names the
 * playground process that uses the directory.
 */
import { readFileSync, rmSync } from "node:fs";
import { link, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isProcessRunning } from "../src/models/process-alive.js";
import { UsageError } from "../tools/usage-error.js";

/** The file, in a state directory's `.langgraph_api`, naming the playground that uses the directory. */
const LOCK_FILE = "playground.lock";

/** The playground process that holds a state directory's lock. */
interface LockOwner {
  readonly pid: number;
  readonly port: number;
}

/**
 * Makes `directory` this process's until it exits: writes the lock file with this pid and `port`, taking
 * over a lock whose process has ended. Throws a {@link UsageError} naming the live playground that holds it.
 */
export async function holdStateDirectory(directory: string, port: number): Promise<void> {
  const file = join(directory, ".langgraph_api", LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createLock(file, { pid: process.pid, port })) {
      process.once("exit", () => releaseLock(file));
      return;
    }
    const owner = await readLock(file);
    if (owner && owner.pid !== process.pid && isProcessRunning(owner.pid)) {
      throw new UsageError(
        `${directory} is in use by another playground (pid ${owner.pid}, port ${owner.port}): two servers on one state directory overwrite each other's threads. Stop that one, or give this one another directory with --state-dir D. (If no such playground runs, remove ${file}.)`,
      );
    }
    await rm(file, { force: true }); // its process has ended
  }
  throw new UsageError(`Could not take the lock ${file}: other playgrounds keep starting on ${directory}. Remove the file, or use another --state-dir.`);
}

/**
 * Creates the lock `file` holding `owner`, whole or not at all (written aside, then linked in place);
 * false when the file exists.
 */
async function createLock(file: string, owner: LockOwner): Promise<boolean> {
  const draft = `${file}.${process.pid}`;
  await writeFile(draft, JSON.stringify(owner));
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}

/** The owner the lock `file` names; undefined when the file is gone or holds no owner. */
async function readLock(file: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(file, "utf8")) as Partial<LockOwner>;
    return Number.isInteger(owner.pid) && Number.isInteger(owner.port) ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the lock `file` if this process holds it (synchronous: it runs on the process's `exit`). */
function releaseLock(file: string): void {
  try {
    if ((JSON.parse(readFileSync(file, "utf8")) as Partial<LockOwner>).pid === process.pid) rmSync(file, { force: true });
  } catch {
    // gone already, or not ours to remove
  }
}

