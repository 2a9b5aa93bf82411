import { describeError } from "../errors.js";
import { statusOf } from "./error-facts.js";
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
      if (context.provider === "ollama") {
        return `${where}: the Ollama server does not have this model${http}; run "ollama pull ${context.modelName ?? context.model}"`;
      }
      break;
    case "context_overflow":
      return `${where}: ${describeError(error)}; the input is longer than the model's context window: shorten the conversation, or use a model with a larger one`;
    default:
      break;
  }
  return `${where}: ${describeError(error)}`;
}
