/** The portable model options of a spec, before they are mapped to a provider's constructor fields. */
export interface PortableModelOptions {
  /** Sampling temperature. */
  temperature?: number;
  /** Upper bound on generated tokens. */
  maxTokens?: number;
}

/** The name each provider's chat model class gives to the "maximum generated tokens" option. */
const MAX_TOKENS_FIELD: Record<string, string> = {
  ollama: "numPredict",
  "google-genai": "maxOutputTokens",
  "google-vertexai": "maxOutputTokens",
  "google-vertexai-web": "maxOutputTokens",
};

/**
 * Maps the portable options to the constructor fields of `provider`'s chat model class, so that
 * `maxTokens` limits output on every provider (Ollama calls it `numPredict`, Gemini `maxOutputTokens`).
 */
export function toProviderParams(provider: string, options: PortableModelOptions): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  if (options.temperature !== undefined) params.temperature = options.temperature;
  if (options.maxTokens !== undefined) params[MAX_TOKENS_FIELD[provider] ?? "maxTokens"] = options.maxTokens;
  return params;
}
