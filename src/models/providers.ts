import { signalAwareFetch } from "./call-signal.js";
import { apiKeyOf, baseURLOf, hasApiKey, withClientParams } from "./connection-params.js";
import type { ModelSpec } from "./model-spec.js";

/** How one provider is configured: where its key and host come from, and its constructor's field names. */
interface ProviderProfile {
  /** Variables holding the API key, in the order the client reads them; empty when no key is needed. */
  readonly keyVariables: readonly string[];
  /** Variables holding the server's base URL, in the order they are read. */
  readonly hostVariables: readonly string[];
  /** The provider's own endpoint, shown in error messages. */
  readonly defaultEndpoint?: string;
  /** The constructor field for "maximum generated tokens". */
  readonly maxTokensField: string;
  /** The constructor fields for the spec's `topP`, `seed` and `stop`; a missing one is a setting the client lacks. */
  readonly samplingFields: Partial<Record<"topP" | "seed" | "stop", string>>;
  /** The constructor fields for an API key and a base URL. */
  readonly connectionFields: (apiKey: string | undefined, baseURL: string | undefined) => Record<string, unknown>;
}

/**
 * A key for OpenAI-compatible servers that need none (vLLM, LM Studio): the client refuses to send a
 * request without one. A server that does check keys answers 401, and the error names the fix.
 */
const NO_KEY_NEEDED = "not-needed";

const PROFILES: Record<string, ProviderProfile> = {
  openai: {
    keyVariables: ["OPENAI_API_KEY"],
    hostVariables: ["OPENAI_BASE_URL", "OPENAI_API_BASE"],
    defaultEndpoint: "https://api.openai.com/v1",
    maxTokensField: "maxTokens",
    samplingFields: { topP: "topP", seed: "seed", stop: "stop" },
    // The MoA retries (honouring Retry-After) under its own deadline; the client's retries would multiply them.
    connectionFields: (apiKey, baseURL) => ({
      maxRetries: 0,
      ...(apiKey ? { apiKey } : {}),
      ...(baseURL ? { configuration: { baseURL } } : {}),
    }),
  },
  ollama: {
    keyVariables: [],
    hostVariables: ["OLLAMA_HOST", "OLLAMA_BASE_URL"],
    defaultEndpoint: "http://127.0.0.1:11434",
    maxTokensField: "numPredict",
    samplingFields: { topP: "topP", seed: "seed", stop: "stop" },
    connectionFields: (_apiKey, baseURL) => ({ fetch: signalAwareFetch, ...(baseURL ? { baseUrl: baseURL } : {}) }),
  },
  "google-genai": {
    keyVariables: ["GOOGLE_API_KEY", "GEMINI_API_KEY"],
    hostVariables: [],
    defaultEndpoint: "https://generativelanguage.googleapis.com",
    maxTokensField: "maxOutputTokens",
    samplingFields: { topP: "topP", stop: "stopSequences" },
    // Streaming is the client's only path that hands the abort signal to its request.
    connectionFields: (apiKey, baseURL) => ({
      maxRetries: 0,
      streaming: true,
      ...(apiKey ? { apiKey } : {}),
      ...(baseURL ? { baseUrl: baseURL } : {}),
    }),
  },
};

const SAMPLING_SETTINGS = ["topP", "seed", "stop"] as const;

/**
 * The spec's sampling settings (`topP`, `seed`, `stop`) that `provider`'s client has no field for (Gemini
 * takes no seed), so that they are refused rather than dropped.
 */
export function unsupportedSettings(provider: string, spec: ModelSpec): string[] {
  const profile = PROFILES[provider];
  if (profile === undefined) return [];
  return SAMPLING_SETTINGS.filter((setting) => spec[setting] !== undefined && profile.samplingFields[setting] === undefined);
}

/** Providers whose connection (key, base URL, host variables) this package knows how to set. */
export const CONFIGURED_PROVIDERS: readonly string[] = Object.keys(PROFILES);

/** A model string's connection, resolved from its spec and the environment. */
export interface Connection {
  /** The constructor fields to pass to the provider's chat model class, the spec's `params` merged in. */
  readonly fields: Record<string, unknown>;
  /** The server the model is reached at, for error messages. */
  readonly endpoint?: string;
  /** What to set when the key is missing or refused (e.g. `set OPENAI_API_KEY`), or undefined. */
  readonly keyFix?: string;
  /** What to set when the server cannot be reached. */
  readonly hostFix: string;
  /** Why the model cannot be used as configured (a missing key), or undefined when it can. */
  readonly problem?: string;
}

/**
 * Resolves the constructor fields, endpoint and configuration problems of a `"provider:model"` spec:
 * `maxTokens` is renamed to the provider's field, the base URL and key go where the provider's class
 * expects them, wherever the spec gave them (`baseURL`, or `params.configuration.baseURL`, ...; see
 * `checkConnectionOptions`), `OLLAMA_HOST` is honoured, and the client options of `params` are merged in
 * without replacing the connection (`withClientParams`).
 */
export function resolveConnection(provider: string, spec: ModelSpec, env: NodeJS.ProcessEnv = process.env): Connection {
  const profile = PROFILES[provider];
  const baseURL = baseURLOf(spec);
  const givenKey = apiKeyOf(spec);
  const portable: Record<string, unknown> = {
    ...(spec.temperature !== undefined ? { temperature: spec.temperature } : {}),
    ...(spec.maxTokens !== undefined ? { [profile?.maxTokensField ?? "maxTokens"]: spec.maxTokens } : {}),
  };
  for (const setting of SAMPLING_SETTINGS) {
    const field = profile === undefined ? setting : profile.samplingFields[setting];
    if (spec[setting] !== undefined && field !== undefined) portable[field] = spec[setting];
  }
  if (profile === undefined) {
    return {
      fields: withClientParams({ ...portable, ...(givenKey ? { apiKey: givenKey } : {}), ...(baseURL ? { baseURL } : {}) }, spec.params),
      hostFix: "check the provider's base URL option",
    };
  }
  const hostFromEnv = profile.hostVariables.map((name) => env[name]).find((value) => value !== undefined && value !== "");
  // Where the environment names the host too (OPENAI_BASE_URL), its key belongs to that host (or the
  // provider's own) and is never sent to a base URL given elsewhere, such as a local server.
  const envKeyFits = baseURL === undefined || profile.hostVariables.length === 0 || sameServer(baseURL, hostFromEnv);
  const keyFromEnv = envKeyFits && profile.keyVariables.some((name) => (env[name] ?? "") !== "");
  const hasKey = hasApiKey(spec) || keyFromEnv;
  const customServer = baseURL !== undefined || hostFromEnv !== undefined;
  const keyNeeded = profile.keyVariables.length > 0 && !hasKey;
  // A placeholder key also keeps the client from reading the environment's key for another host.
  const apiKey = givenKey ?? (keyNeeded && customServer && provider === "openai" ? NO_KEY_NEEDED : undefined);
  const model = typeof spec.model === "string" ? spec.model : provider;
  const keyFix = profile.keyVariables.length > 0
    ? `set ${profile.keyVariables.join(" or ")}, or give { model: "${model}", apiKey: "…" }`
    : undefined;
  const connection = profile.connectionFields(apiKey, baseURL ?? (provider === "ollama" ? hostFromEnv : undefined));
  return {
    fields: withClientParams({ ...portable, ...connection }, spec.params),
    endpoint: baseURL ?? hostFromEnv ?? profile.defaultEndpoint,
    keyFix,
    hostFix: profile.hostVariables.length > 0
      ? `check that the server runs, or set ${profile.hostVariables[0]} or { model: "${model}", baseURL: "…" }`
      : `check the network, or give { model: "${model}", baseUrl: "…" }`,
    ...(keyNeeded && apiKey === undefined
      ? { problem: envKeyFits ? `has no API key: ${keyFix}` : `has a base URL of its own but no API key for it (the environment's key is not sent to another host): give { model: "${model}", baseUrl: "…", apiKey: "…" }` }
      : {}),
  };
}

/** True when two base URLs name the same server (scheme, host and port), or `other` is not given. */
function sameServer(baseURL: string, other: string | undefined): boolean {
  if (other === undefined) return false;
  try {
    return new URL(baseURL).origin === new URL(other).origin;
  } catch {
    return false;
  }
}
