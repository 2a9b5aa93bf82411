import type { BindToolsInput } from "@langchain/core/language_models/chat_models";

/** A tool as the proposers are told about it. */
export interface ToolSummary {
  /** The tool's name, as the aggregator calls it. */
  readonly name: string;
  /** What the tool does (may be empty). */
  readonly description: string;
}

/** Tools bound to the aggregator (`bindTools(tools, kwargs)`), and how the proposers are told of them. */
export interface ToolBinding {
  /** The tools, in any form LangChain's `bindTools` takes. */
  readonly tools: readonly BindToolsInput[];
  /** Passed to the aggregator's `bindTools` as its kwargs: `tool_choice`, `parallel_tool_calls`, `strict`, ... */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** Each tool's name and description, for the proposers' instruction. */
  readonly summaries: readonly ToolSummary[];
}

/** Structured output asked of the aggregator (its own `withStructuredOutput`). */
export interface StructuredOutputRequest {
  /** A zod schema, a standard schema or a JSON schema. */
  readonly schema: Record<string, unknown>;
  /** The name of the schema (the function's name with `functionCalling`). */
  readonly name?: string;
  /** `functionCalling`, `jsonMode` or `jsonSchema`; default: the aggregator's own default. */
  readonly method?: string;
  /** Strict schema adherence, where the aggregator's provider offers it. */
  readonly strict?: boolean;
  /** Keep an answer that does not parse (the caller gets the raw message); otherwise it fails the turn. */
  readonly includeRaw?: boolean;
}

/** What the aggregator's answer may or must be besides free text: tool calls, an object of a schema, where it stops. */
export interface AnswerFormat {
  readonly tools?: ToolBinding;
  readonly structured?: StructuredOutputRequest;
  /** Stop sequences of the answer (the aggregator's `stop`). */
  readonly stop?: readonly string[];
}

/**
 * Whether only an aggregator can give the answer `format` asks for: tool calls (one tool or more bound;
 * an agent binding none, as `createAgent` with no tools does, asks for none) or structured output.
 */
export function needsAggregator(format: AnswerFormat | undefined): boolean {
  return (format?.tools !== undefined && format.tools.tools.length > 0) || format?.structured !== undefined;
}

/** The `configurable` key through which a caller gives a turn its {@link AnswerFormat}. */
export const ANSWER_FORMAT_KEY = "moa_answer_format";
