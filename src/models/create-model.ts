import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { MoAConfigError, describeError } from "../errors.js";
import type { Connection } from "./providers.js";
import { guardGeminiStream } from "./guard-gemini-stream.js";
import { redactSecrets } from "./redact-secrets.js";

/** A `"provider:model"` string ready to be created. */
export interface ModelRecipe {
  /** The string as the user gave it, e.g. `ollama:llama3.1:8b`. */
  readonly label: string;
  readonly provider: string;
  /** The model name without the provider prefix. */
  readonly name: string;
  /** The connection; its `fields` (the spec's `params` merged in) are the constructor fields. */
  readonly connection: Connection;
  /** The option the model was given as, for error messages (e.g. `proposers[1]`). */
  readonly option: string;
}

/**
 * Creates the model with LangChain's `initChatModel` on first use and then returns the same instance. A configuration problem (a missing key, a provider package that is not
 * installed) rejects with a {@link MoAConfigError} naming the model, the provider and the fix; a failed
 * creation is retried on the next call.
 */
export function lazyModel(recipe: ModelRecipe): LazyModel {
  let pending: Promise<BaseChatModel> | undefined;
  let created: BaseChatModel | undefined;
  return {
    get: () => {
      pending ??= createModel(recipe).then(
        (model) => (created = model),
        (error: unknown) => {
          pending = undefined;
          throw error;
        },
      );
      return pending;
    },
    peek: () => created,
  };
}

/** A model created on first use: `get` creates it (once), `peek` returns it if it exists already. */
export interface LazyModel {
  readonly get: () => Promise<BaseChatModel>;
  readonly peek: () => BaseChatModel | undefined;
}

async function createModel({ label, provider, name, connection, option }: ModelRecipe): Promise<BaseChatModel> {
  const where = `model "${label}" (provider ${provider})`;
  if (connection.problem) throw new MoAConfigError(option, `${where} ${connection.problem}`);
  try {
    // Loaded on first use: it is most of the package's import time, and models given as instances never need it.
    const { initChatModel } = await import("langchain/chat_models/universal");
    const configurable = await initChatModel(name, { ...connection.fields, modelProvider: provider });
    const model = await configurable._getModelInstance();
    if (provider === "google-genai") guardGeminiStream(model);
    return model;
  } catch (error) {
    // The cause is not attached: a provider's error may quote the key it was given.
    const message = redactSecrets(describeError(error), [String(connection.fields.apiKey ?? "")]);
    const missing = /Unable to import (@?[\w-]+(?:\/[\w.-]*[\w-])?)/.exec(message)?.[1];
    const fix = missing ? `the package ${missing} is not installed; run: npm install ${missing}` : `could not be created: ${message}`;
    throw new MoAConfigError(option, `${where}: ${fix}`);
  }
}
