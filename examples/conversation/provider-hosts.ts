/**
 * Where a `"provider:model"` string's calls go, how to ask that server for its model list, and what to
 * tell the user when it cannot be reached or refuses the key, for the providers whose host the library
 * sets (OpenAI and OpenAI-compatible servers, Ollama, Gemini). The server is the one the library itself
 * resolves, so the check and the calls go to the same place.
 */
import type { ModelSpec } from "../../src/index.js";
import { resolveConnection } from "../../src/models/providers.js";
import type { HostRequest } from "./host-probe.js";
import { ollamaBaseUrl } from "./ollama-models.js";

/** A model's server and what to say about it. */
export interface ModelHost {
  /** The model list request. */
  readonly request: HostRequest;
  /** The server as the user knows it, e.g. `http://127.0.0.1:11434`. */
  readonly endpoint: string;
  /** What to do when it cannot be reached, e.g. `check that the server runs, or set OLLAMA_HOST`. */
  readonly hostAdvice: string;
  /** What to do when it refuses the key. */
  readonly keyAdvice: string;
  /** The provider, e.g. `openai`. */
  readonly provider: string;
  /** The model's name as the server's list names it, e.g. `gpt-4o-mini`, `llama3.1`, `gemini-2.0-flash`. */
  readonly listedName: string;
}

interface ProviderHost {
  readonly hostVariables: readonly string[];
  readonly keyVariables: readonly string[];
  /** The model list's URL under the endpoint. */
  readonly listUrl: (endpoint: string) => string;
  readonly auth: (key: string) => Record<string, string>;
  readonly unreachable: { readonly spec: string; readonly variable: string; readonly default: string };
}

const PROVIDERS: Record<string, ProviderHost> = {
  openai: {
    hostVariables: ["OPENAI_BASE_URL", "OPENAI_API_BASE"],
    keyVariables: ["OPENAI_API_KEY"],
    listUrl: (endpoint) => `${endpoint}/models`,
    auth: (key) => ({ authorization: `Bearer ${key}` }),
    unreachable: {
      spec: "check that the server runs, and the model's baseURL",
      variable: "check that the server runs, or set OPENAI_BASE_URL",
      default: "check the network connection, or set OPENAI_BASE_URL for another server",
    },
  },
  ollama: {
    hostVariables: ["OLLAMA_HOST", "OLLAMA_BASE_URL"],
    keyVariables: [],
    listUrl: (endpoint) => `${endpoint}/api/tags`,
    auth: () => ({}),
    unreachable: {
      spec: "check that Ollama runs there (`ollama serve`), and the model's baseUrl",
      variable: "check that the server runs (`ollama serve`), or set OLLAMA_HOST",
      default: "check that the server runs (`ollama serve`), or set OLLAMA_HOST",
    },
  },
  "google-genai": {
    hostVariables: [],
    keyVariables: ["GOOGLE_API_KEY", "GEMINI_API_KEY"],
    // The list comes in pages of 50 unless asked for more; 1000 is the most a page holds.
    listUrl: (endpoint) => `${endpoint}/v1beta/models?pageSize=1000`,
    auth: (key) => ({ "x-goog-api-key": key }),
    unreachable: { spec: "check the model's baseUrl", variable: "check the network connection", default: "check the network connection" },
  },
};

/** The key variables of `provider` that a model would read, e.g. `OPENAI_API_KEY`; [] for Ollama and unknown providers. */
export function keyVariablesOf(provider: string): readonly string[] {
  return PROVIDERS[provider]?.keyVariables ?? [];
}

/**
 * The server of `spec` (whose model is a `"provider:model"` string of `provider`) under `env`, or
 * undefined for a provider whose host the library does not set.
 */
export function modelHost(provider: string, spec: ModelSpec & { model: string }, env: NodeJS.ProcessEnv): ModelHost | undefined {
  const profile = PROVIDERS[provider];
  const connection = resolveConnection(provider, spec, env);
  if (!profile || connection.endpoint === undefined) return undefined;
  const endpoint = provider === "ollama" ? ollamaBaseUrl(connection.endpoint) : connection.endpoint.replace(/\/+$/, "");
  const fromSpec = spec.baseURL !== undefined || spec.baseUrl !== undefined;
  const fromVariable = !fromSpec && profile.hostVariables.some((name) => (env[name] ?? "") !== "");
  const givenKey = connection.fields.apiKey;
  const keyVariable = profile.keyVariables.find((name) => (env[name] ?? "") !== "");
  const key = typeof givenKey === "string" ? givenKey : keyVariable !== undefined ? env[keyVariable] : undefined;
  return {
    request: { url: profile.listUrl(endpoint), headers: key ? profile.auth(key) : {} },
    endpoint,
    hostAdvice: fromSpec ? profile.unreachable.spec : fromVariable ? profile.unreachable.variable : profile.unreachable.default,
    keyAdvice: spec.apiKey !== undefined ? "check the model's apiKey" : keyVariable !== undefined ? `check ${keyVariable}` : `set ${profile.keyVariables.join(" or ")}, or give "apiKey" in the model's spec`,
    provider,
    listedName: spec.model.slice(spec.model.indexOf(":") + 1).replace(/^models\//, ""),
  };
}
