import { readFileSync } from "node:fs";
import { UsageError } from "../tools/usage-error.js";

/** One parsed line of a JSONL file with its 1-based line number. */
export interface JsonlLine {
  readonly line: number;
  readonly value: unknown;
}

/**
 * Reads a JSONL file: one JSON value per non-blank line. Throws an {@link UsageError} naming the file
 * and line when the file cannot be read or a line is not JSON.
 */
export function readJsonl(path: string): JsonlLine[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const lines: JsonlLine[] = [];
  text.split("\n").forEach((raw, index) => {
    if (raw.trim() === "") return;
    try {
      lines.push({ line: index + 1, value: JSON.parse(raw) });
    } catch (error) {
      throw new UsageError(`${path}:${index + 1} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return lines;
}
