import { readFileSync } from "node:fs";
import { UsageError } from "./usage-error.js";

/**
 * Reads the config file at `path`, which must hold one JSON object. Throws a {@link UsageError} naming
 * the file when it cannot be read, is not JSON, or is not an object (showing `example` of what is).
 */
export function readJsonObject(path: string, example: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`The config file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`The config file ${path} must hold a JSON object, e.g. ${example}`);
  }
  return parsed as Record<string, unknown>;
}
