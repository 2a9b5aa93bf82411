import { MODEL_PROVIDER_CONFIG, _inferModelProvider } from "langchain/chat_models/universal";
import { MoAConfigError } from "../errors.js";
import { LOCAL_PROVIDER } from "./local-model.js";

/** A `"provider:model"` string split into its parts. */
export interface ParsedModelString {
  /** The provider key of `initChatModel`, e.g. `openai`, `ollama`, `google-genai`. */
  provider: string;
  /** The model name, which may itself contain `:` (e.g. `llama3.1:8b`). */
  model: string;
}

/** The provider prefixes `initChatModel` knows, and `llama-cpp` (GGUF models run in this process). */
export const KNOWN_PROVIDERS: readonly string[] = [...Object.keys(MODEL_PROVIDER_CONFIG), LOCAL_PROVIDER];

/**
 * Splits `"provider:model"` at its first `:`. A bare model name is accepted when LangChain can infer
 * its provider (e.g. `gpt-4o`). Anything else throws a {@link MoAConfigError} naming `option`.
 */
export function parseModelString(value: string, option: string): ParsedModelString {
  const trimmed = value.trim();
  if (trimmed === "") {
    throw new MoAConfigError(option, `empty model string; expected "provider:model", e.g. "openai:gpt-4o-mini"`);
  }
  const colon = trimmed.indexOf(":");
  if (colon > 0) {
    const provider = trimmed.slice(0, colon);
    const model = trimmed.slice(colon + 1);
    if (!KNOWN_PROVIDERS.includes(provider)) {
      throw new MoAConfigError(
        option,
        `unknown provider "${provider}" in "${value}"; write "provider:model" (an Ollama model with a tag is "ollama:${trimmed}"). Valid providers: ${KNOWN_PROVIDERS.join(", ")}`,
      );
    }
    if (model === "") throw new MoAConfigError(option, `"${value}" names no model after "${provider}:"`);
    return { provider, model };
  }
  const inferred = _inferModelProvider(trimmed);
  if (inferred === undefined) {
    throw new MoAConfigError(
      option,
      `"${value}" has no provider prefix and none can be inferred; write "provider:model", e.g. "ollama:${trimmed}". Valid providers: ${KNOWN_PROVIDERS.join(", ")}`,
    );
  }
  return { provider: inferred, model: trimmed };
}
