/**
 * The `--config file.json` of the conversation example: the MoA options as JSON, plus the example's own
 * `system`, `showInternal` and `db`.
 */
import type { MixtureOfAgentsOptions } from "../../src/index.js";
import { readJsonObject } from "../../tools/read-json-object.js";
import { UsageError } from "../../tools/usage-error.js";

/** What a config file holds: MoA options (passed to the library, which validates them) and the example's keys. */
export interface ConfigFile {
  /** Every key but the example's own, e.g. proposers, aggregator, layers, timeouts, quorum, retry. */
  readonly moa: Partial<MixtureOfAgentsOptions>;
  readonly system?: string;
  readonly showInternal?: boolean;
  readonly db?: string;
}

/** Reads and parses `path`. Throws a {@link UsageError} when it cannot be read or is not a JSON object. */
export function readConfigFile(path: string): ConfigFile {
  const { system, showInternal, db, ...moa } = readJsonObject(path, '{ "proposers": ["ollama:llama3.1"], "aggregator": "ollama:llama3.1" }');
  return {
    moa: moa as Partial<MixtureOfAgentsOptions>,
    ...(system === undefined ? {} : { system: expect(system, "string", "system", path) }),
    ...(showInternal === undefined ? {} : { showInternal: expect(showInternal, "boolean", "showInternal", path) }),
    ...(db === undefined ? {} : { db: expect(db, "string", "db", path) }),
  };
}

function expect<T extends "string" | "boolean">(value: unknown, type: T, key: string, path: string): T extends "string" ? string : boolean {
  if (typeof value !== type) throw new UsageError(`In ${path}, "${key}" must be a ${type}; got ${JSON.stringify(value)}`);
  return value as T extends "string" ? string : boolean;
}
