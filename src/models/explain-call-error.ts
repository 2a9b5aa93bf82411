import { describeError } from "../errors.js";
import { someCause, statusOf } from "./error-facts.js";
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

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT", "EHOSTUNREACH", "UND_ERR_SOCKET"]);

/**
 * One line saying why a model call failed and, where the cause is a common one (unreachable server,
 * refused key, unknown model), what to set to fix it.
 */
export function explainCallError(error: unknown, context: CallErrorContext): string {
  const where = context.provider ? `${context.model} (provider ${context.provider})` : context.model;
  const status = statusOf(error);
  const connection = context.connection;
  if (isConnectionFailure(error)) {
    const endpoint = connection?.endpoint ? ` ${connection.endpoint}` : " the server";
    return `${where}: cannot reach${endpoint} (${describeError(error)}); ${connection?.hostFix ?? "check that the server runs"}`;
  }
  if ((status === 401 || status === 403) && connection?.keyFix) {
    return `${where}: the server refused the API key (HTTP ${status}); ${connection.keyFix}`;
  }
  if (status === 404 && context.provider === "ollama") {
    return `${where}: the Ollama server does not have this model (HTTP 404); run "ollama pull ${context.modelName ?? context.model}"`;
  }
  return `${where}: ${describeError(error)}`;
}

function isConnectionFailure(error: unknown): boolean {
  return someCause(
    error,
    ({ code, name, message }) => (typeof code === "string" && CONNECTION_CODES.has(code)) || name === "APIConnectionError" || message === "fetch failed",
  );
}
