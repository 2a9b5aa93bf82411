import { mergeUsageMetadata, type UsageMetadata } from "@langchain/core/messages";

/** Token usage as LangChain reports it: input, output and total tokens, with optional details. */
export type TokenUsage = UsageMetadata;

/** One model call of a turn, named by its proposer (or aggregator) id and its layer. */
export interface CallRef {
  /** The proposer id (unique within the MoA) or the aggregator id. */
  readonly id: string;
  /** The 1-based layer, or `"aggregate"`. */
  readonly layer: number | "aggregate";
}

/** A call that answered, with the tokens its provider reported for it (absent when it reported none). */
export interface CallUsage extends CallRef {
  readonly usage?: TokenUsage;
}

/**
 * The tokens of several calls. `usage` is absent when no call reported any (unknown, not zero);
 * `usageMissing` names the calls that reported none, and is absent when every call reported.
 */
export interface UsageTotal {
  /** Tokens summed over the calls that reported usage. */
  readonly usage?: TokenUsage;
  /** The calls whose provider reported no usage, in order; `usage` leaves them out. */
  readonly usageMissing?: readonly CallRef[];
}

/**
 * The usage a model's answer reports, or `undefined` when its provider reported none. LangChain's
 * clients do not always leave `usage_metadata` out then: `ChatOpenAI` gives an object without counts
 * (a response without `usage`), `ChatOllama` gives zeros (a response without `eval_count`). A call
 * that answered has read at least its prompt, so zero input and output tokens means "not reported".
 */
export function reportedUsage(usage: TokenUsage | undefined): TokenUsage | undefined {
  if (usage === undefined) return undefined;
  const { input_tokens: input, output_tokens: output, total_tokens: total } = usage as Partial<TokenUsage>;
  if (!isCount(input) || !isCount(output) || input + output === 0) return undefined;
  return withDetailsOf(usage, { input_tokens: input, output_tokens: output, total_tokens: isCount(total) ? total : input + output });
}

/** Sums the usage of `calls` (details included) and names the calls that reported none. */
export function totalUsage(calls: readonly CallUsage[]): UsageTotal {
  const usage = sumUsage(calls.map((call) => call.usage));
  const missing = calls.filter((call) => call.usage === undefined).map(({ id, layer }) => ({ id, layer }));
  return { ...(usage ? { usage } : {}), ...(missing.length > 0 ? { usageMissing: missing } : {}) };
}

/**
 * The total of several totals (a turn's layers, its aggregator calls): what {@link totalUsage} of all their
 * calls gives, with fewer sums.
 */
export function sumTotals(totals: readonly UsageTotal[]): UsageTotal {
  const usage = sumUsage(totals.map((total) => total.usage));
  const missing = totals.flatMap((total) => total.usageMissing ?? []);
  return Object.assign({}, usage ? { usage } : undefined, missing.length > 0 ? { usageMissing: missing } : undefined);
}

/**
 * Sums the usages that were reported (details included); calls that reported none add nothing.
 * `undefined` when no call reported usage.
 */
export function sumUsage(usages: ReadonlyArray<TokenUsage | undefined>): TokenUsage | undefined {
  const reported = usages.filter((usage): usage is TokenUsage => usage !== undefined);
  if (reported.length === 0) return undefined;
  return reported.reduce((sum, usage) => dropEmptyDetails(mergeUsageMetadata(sum, usage)));
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

/** A copy of `usage` without empty detail objects (which `mergeUsageMetadata` and `ChatOpenAI` leave behind). */
function dropEmptyDetails(usage: TokenUsage): TokenUsage {
  return withDetailsOf(usage, { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens, total_tokens: usage.total_tokens });
}

/** `counts` with `usage`'s detail objects that hold a count. Keys added one by one: no rest copy of `usage` (a runtime call on Node 20). */
function withDetailsOf(usage: TokenUsage, counts: TokenUsage): TokenUsage {
  const inputDetails = usage.input_token_details && definedOnly(usage.input_token_details);
  const outputDetails = usage.output_token_details && definedOnly(usage.output_token_details);
  if (inputDetails) counts.input_token_details = inputDetails;
  if (outputDetails) counts.output_token_details = outputDetails;
  return counts;
}

/** `details` without its undefined entries (itself when it has none), or `undefined` when none is left. */
function definedOnly<T extends object>(details: T): T | undefined {
  const values = Object.values(details);
  if (values.every((value) => value !== undefined)) return values.length > 0 ? details : undefined;
  const kept = Object.entries(details).filter(([, value]) => value !== undefined);
  return kept.length > 0 ? (Object.fromEntries(kept) as T) : undefined;
}

/**
 * Usage in words, e.g. `120 tokens in (80 cached), 48 out (12 reasoning)`: the cached prompt tokens
 * (`input_token_details.cache_read`) and reasoning tokens (`output_token_details.reasoning`) only where
 * the provider reported them.
 */
export function formatUsage(usage: TokenUsage): string {
  const cached = usage.input_token_details?.cache_read;
  const reasoning = usage.output_token_details?.reasoning;
  const input = `${usage.input_tokens} tokens in${cached ? ` (${cached} cached)` : ""}`;
  return `${input}, ${usage.output_tokens} out${reasoning ? ` (${reasoning} reasoning)` : ""}`;
}
