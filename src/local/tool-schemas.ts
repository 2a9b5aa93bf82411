import type { ChatModelFunctions, GbnfJsonSchema } from "node-llama-cpp";
import { MoAConfigError } from "../errors.js";

/** A tool in OpenAI's format, as `convertToOpenAITool` returns it. */
export interface FunctionTool {
  readonly type: "function";
  readonly function: { readonly name: string; readonly description?: string; readonly parameters?: Record<string, unknown> };
}

/** A `tool_choice` as LangChain's clients take it: a generic choice, a tool's name, or OpenAI's object. */
export type ToolChoice = "auto" | "none" | "any" | "required" | string | { readonly type?: string; readonly function?: { readonly name?: string } };

/**
 * A JSON schema as node-llama-cpp's grammar reads it: the `$schema` key dropped. The grammar makes every
 * property of an object required (node-llama-cpp's documented rule), so optional fields are always written.
 */
export function toGrammarSchema(schema: Record<string, unknown> | undefined): GbnfJsonSchema {
  if (schema === undefined) return { type: "object", properties: {} } as GbnfJsonSchema;
  const { $schema: _draft, ...rest } = schema;
  return rest as GbnfJsonSchema;
}

/** The tools as node-llama-cpp's functions, which the model's chat template describes to it. */
export function toFunctions(tools: readonly FunctionTool[]): ChatModelFunctions {
  return Object.fromEntries(tools.map(({ function: fn }) => [fn.name, {
    ...(fn.description ? { description: fn.description } : {}),
    params: toGrammarSchema(fn.parameters),
  }]));
}

/**
 * The tools a `tool_choice` forces a call of, or undefined when it forces none (`auto`, `none`, or no
 * choice). A forced call is written under a grammar, so it always parses. Throws a
 * {@link MoAConfigError} when the choice names no bound tool.
 */
export function forcedTools(tools: readonly FunctionTool[], choice: ToolChoice | undefined): FunctionTool[] | undefined {
  if (choice === undefined || choice === "auto" || choice === "none") return undefined;
  if (choice === "any" || choice === "required") return [...tools];
  const name = typeof choice === "string" ? choice : choice.function?.name;
  const tool = tools.find((t) => t.function.name === name);
  if (tool === undefined) {
    throw new MoAConfigError("tool_choice", `${JSON.stringify(choice)} names no bound tool; expected "auto", "none", "any", "required" or one of: ${tools.map((t) => t.function.name).join(", ") || "(no tools are bound)"}`);
  }
  return [tool];
}

/** The grammar schema of one forced call: `{ "name": <a tool's name>, "arguments": <its parameters> }`. */
export function forcedCallSchema(tools: readonly FunctionTool[]): GbnfJsonSchema {
  const alternatives = tools.map(({ function: fn }) => ({
    type: "object",
    properties: { name: { const: fn.name }, arguments: toGrammarSchema(fn.parameters) },
  }));
  return (alternatives.length === 1 ? alternatives[0] : { oneOf: alternatives }) as GbnfJsonSchema;
}
