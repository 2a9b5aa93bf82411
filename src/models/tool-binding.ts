import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { MoAConfigError } from "../errors.js";
import type { ToolBinding, ToolSummary } from "../state/answer-format.js";

/** The `tool_choice` values every provider client of LangChain understands besides a tool's name. */
const GENERIC_CHOICES = ["auto", "any", "none", "required"];

/**
 * Checks tools and the kwargs of a `bindTools` call and returns them as a {@link ToolBinding}.
 * Throws a {@link MoAConfigError} naming the tool that LangChain cannot convert, a name given twice,
 * or a `tool_choice` that names no bound tool (with the valid choices).
 */
export function toToolBinding(tools: unknown, kwargs: Record<string, unknown> = {}, option = "tools"): ToolBinding {
  if (!Array.isArray(tools)) {
    throw new MoAConfigError(option, "expected an array of tools: tool() or StructuredTool instances, OpenAI-format tools or { name, description, schema }");
  }
  const summaries = tools.map((tool: unknown, i) => summarize(tool, `${option}[${i}]`));
  const names = summaries.map((s) => s.name);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw new MoAConfigError(option, `the tool name "${repeated}" is given twice; tool names must be unique`);
  checkToolChoice(kwargs.tool_choice, names);
  return { tools: tools as BindToolsInput[], kwargs, summaries };
}

function summarize(tool: unknown, option: string): ToolSummary {
  if (typeof tool !== "object" || tool === null) {
    throw new MoAConfigError(option, `expected a tool (tool(), a StructuredTool, an OpenAI-format tool or { name, description, schema }); got ${tool === null ? "null" : typeof tool}`);
  }
  let converted: { function?: { name?: unknown; description?: unknown } };
  try {
    converted = convertToOpenAITool(tool as BindToolsInput) as typeof converted;
  } catch (error) {
    throw new MoAConfigError(option, `LangChain cannot convert this tool (${error instanceof Error ? error.message : String(error)}); expected tool(), a StructuredTool, an OpenAI-format tool or { name, description, schema }`);
  }
  const own = tool as { name?: unknown; type?: unknown; description?: unknown };
  const name = converted.function?.name ?? own.name ?? own.type;
  if (typeof name !== "string" || name === "") throw new MoAConfigError(option, "the tool has no name");
  const description = converted.function?.description ?? own.description;
  return { name, description: typeof description === "string" ? description : "" };
}

function checkToolChoice(choice: unknown, names: readonly string[]): void {
  if (choice === undefined) return;
  const valid = `"auto", "any", "none", "required" or a bound tool's name (${names.join(", ") || "no tools are bound"})`;
  if (typeof choice === "string") {
    if (!GENERIC_CHOICES.includes(choice) && !names.includes(choice)) {
      throw new MoAConfigError("tool_choice", `"${choice}" names no bound tool; expected ${valid}`);
    }
    return;
  }
  const named = (choice as { function?: { name?: unknown } } | null)?.function?.name;
  if (typeof choice !== "object" || choice === null) throw new MoAConfigError("tool_choice", `expected ${valid}, or a provider's tool_choice object`);
  if (typeof named === "string" && !names.includes(named)) {
    throw new MoAConfigError("tool_choice", `{ function: { name: "${named}" } } names no bound tool; expected ${valid}`);
  }
}
