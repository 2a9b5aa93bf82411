import { describeError } from "../errors.js";
import { codeOf, statusOf } from "./error-facts.js";
import { errorKindOf } from "./error-kind.js";
import type { Connection } from "./providers.js";

/** What is known about a model when one of its calls fails. */
export interface CallErrorContext {
  /** The model's display name. */
  readonly model: string;
  /** The model name without the provider prefix, for models given as strings. */
  readonly modelName?: string;
  /** The provider, for models given as strings. */
  readonly provider?: string;
  /** The resolved connection, for models given as strings. */
  readonly connection?: Connection;
}

/**
 * One line saying why a model call failed and, where the cause is a common one (unreachable server,
 * refused key, unknown model, an input longer than the context window), what to do about it.
 */
export function explainCallError(error: unknown, context: CallErrorContext): string {
  const where = context.provider ? `${context.model} (provider ${context.provider})` : context.model;
  const status = statusOf(error);
  const http = status === undefined ? "" : ` (HTTP ${status})`;
  const connection = context.connection;
  switch (errorKindOf(error)) {
    case "unreachable": {
      const endpoint = connection?.endpoint ? ` ${connection.endpoint}` : " the server";
      return `${where}: cannot reach${endpoint} (${describeError(error)}); ${connection?.hostFix ?? "check that the server runs"}`;
    }
    case "refused_key":
      if (connection?.keyFix) return `${where}: the server refused the API key${http}; ${connection.keyFix}`;
      break;
    case "unknown_model":
      return `${where}: ${unknownModel(error, context, http)}`;
    case "context_overflow":
      return `${where}: ${describeError(error)}; the input is longer than the model's context window: shorten the conversation, or use a model with a larger one`;
    default:
      break;
  }
  return `${where}: ${describeError(error)}`;
}

/**
 * Why a model is unknown and where to look up the names a server has: Ollama's models are pulled; an
 * OpenAI-compatible server lists its models at `/models` under its base URL (a 404 without OpenAI's
 * `model_not_found` may also be a base URL that is not the API's root); Gemini lists them at
 * `/v1beta/models` (its message repeats the request's URL, so only its status is kept).
 */
function unknownModel(error: unknown, context: CallErrorContext, http: string): string {
  const name = context.modelName ?? context.model;
  const endpoint = context.connection?.endpoint?.replace(/\/+$/, "");
  if (context.provider === "ollama") return `the Ollama server does not have this model${http}; run "ollama pull ${name}"`;
  if (context.provider === "google-genai" && endpoint) {
    return `the server has no chat model "${name}"${http}; check the model's name (GET ${endpoint}/v1beta/models lists the models your key can use)`;
  }
  if (context.provider === "openai" && endpoint) {
    const baseToo = codeOf(error) === "model_not_found" ? "" : `, and that ${endpoint} is the server's API root (for most servers it ends in /v1)`;
    return `${describeError(error).replace(/\.$/, "")}; check the model's name${baseToo} (GET ${endpoint}/models lists the models the server has)`;
  }
  return `${describeError(error).replace(/\.$/, "")}; check the model's name`;
}
