import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { existsSync } from "node:fs";
import { MoAConfigError } from "../errors.js";
import { CHAT_NODE_LLAMA_CPP_FIELDS, checkFields } from "../local/local-model-fields.js";
import { loadNodeLlamaCpp } from "../local/node-llama-cpp-module.js";
import { baseURLOf, hasApiKey } from "./connection-params.js";
import type { LazyModel } from "./create-model.js";
import type { ModelSpec } from "./model-spec.js";

/** The provider prefix of models run in this process by llama.cpp: `"llama-cpp:<model>"`. */
export const LOCAL_PROVIDER = "llama-cpp";

/**
 * A `"llama-cpp:<model>"` spec as a lazily created `ChatNodeLlamaCpp`: its `temperature`, `maxTokens`,
 * `topP`, `seed` and `stop` with the engine's fields of `params`. The module that runs llama.cpp is
 * imported on first use only. Throws a {@link MoAConfigError} naming `option` for a base URL or an API
 * key (a local model has neither), and for an unknown or invalid field of `params`
 * (`proposers[0].params.threads`).
 */
export function localModel(spec: ModelSpec, name: string, option: string): LazyModel {
  if (baseURLOf(spec) !== undefined) throw new MoAConfigError(`${option}.baseURL`, `"${LOCAL_PROVIDER}:" models run in this process and take no base URL; give the model as a .gguf path, an https:// URL or an hf: URI`);
  if (hasApiKey(spec)) throw new MoAConfigError(`${option}.apiKey`, `"${LOCAL_PROVIDER}:" models run in this process and take no API key`);
  const fields = {
    ...spec.params,
    model: name,
    ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
    ...(spec.maxTokens !== undefined ? { maxTokens: spec.maxTokens } : {}),
    ...(spec.topP !== undefined ? { topP: spec.topP } : {}),
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
    ...(spec.stop !== undefined ? { stop: spec.stop } : {}),
  };
  const unknown = Object.keys(spec.params ?? {}).filter((key) => !CHAT_NODE_LLAMA_CPP_FIELDS.includes(key) || key === "model");
  if (unknown.length > 0) {
    throw new MoAConfigError(`${option}.params`, `unknown field(s) ${unknown.join(", ")}; a "${LOCAL_PROVIDER}:" model's params take: ${CHAT_NODE_LLAMA_CPP_FIELDS.filter((key) => key !== "model").join(", ")}`);
  }
  try {
    checkFields(fields);
  } catch (error) {
    throw MoAConfigError.isInstance(error) ? new MoAConfigError(`${option}.params.${error.option}`, withoutPrefix(error)) : error;
  }
  let created: BaseChatModel | undefined;
  // What a model string's creation checks for other providers (their package), checked as early here:
  // the package, the fields, and a local file's existence; a download waits for the first call.
  const create = async (): Promise<BaseChatModel> => {
    try {
      await loadNodeLlamaCpp();
    } catch (error) {
      throw MoAConfigError.isInstance(error) ? new MoAConfigError(option, withoutPrefix(error)) : error;
    }
    const { ChatNodeLlamaCpp } = await import("../local/chat-node-llama-cpp.js");
    let model: BaseChatModel;
    try {
      model = new ChatNodeLlamaCpp(fields);
    } catch (error) {
      throw MoAConfigError.isInstance(error) ? new MoAConfigError(`${option}.params.${error.option}`, withoutPrefix(error)) : error;
    }
    if (isLocalPath(name) && !existsSync(name)) {
      throw new MoAConfigError(option, `the model file ${name} does not exist; give an existing .gguf path, an https:// URL or an "hf:<user>/<repo>:<quant>" URI`);
    }
    return (created = model);
  };
  let pending: Promise<BaseChatModel> | undefined;
  return {
    get: () => {
      pending ??= create().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
    peek: () => created,
  };
}

/** A model that names a file on this machine rather than a URL or a hub URI. */
function isLocalPath(model: string): boolean {
  return !/^(https?:\/\/|hf:|hf\.co\/|huggingface[:.])/i.test(model);
}

/** A MoAConfigError's message without its `Invalid <option>: ` prefix, to name another option. */
function withoutPrefix(error: MoAConfigError): string {
  return error.message.replace(/^Invalid [^:]*: /, "");
}
