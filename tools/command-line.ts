/** Command-line flags for the scripts (the conversation example, the evaluation), with usage errors. */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UsageError } from "./usage-error.js";

/** The flags' declarations, as `node:util`'s `parseArgs` takes them. */
export type FlagOptions = NonNullable<ParseArgsConfig["options"]>;

/** The values of the flags declared in `O`. */
export type ParsedFlags<O extends FlagOptions> = ReturnType<typeof parseArgs<{ args: string[]; strict: true; allowPositionals: false; options: O }>>["values"];

/**
 * Parses `argv` strictly (no positionals, no unknown flags). Throws a {@link UsageError} with the
 * problem and then `usage`.
 */
export function parseFlags<const O extends FlagOptions>(argv: readonly string[], options: O, usage: string): ParsedFlags<O> {
  try {
    return parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }).values;
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
  }
}

/** The whole number `value` of `flag` (at least `min`); undefined when the flag is absent. */
export function wholeNumber(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new UsageError(`${flag} expects a whole number >= ${min}; got "${value}"`);
  return number;
}
