import { MoAConfigError } from "../errors.js";
import type { ModelSpec } from "./model-spec.js";

/**
 * Where a spec may give its server's base URL: its own `baseURL`/`baseUrl`, or among the client options
 * in `params`: `configuration.baseURL` (where `ChatOpenAI` reads it), `baseUrl` (`ChatOllama`,
 * `ChatGoogleGenerativeAI`) or `baseURL`. Paths from the spec, in the order they are read.
 */
const BASE_URL_PLACES = [["baseURL"], ["baseUrl"], ["params", "configuration", "baseURL"], ["params", "baseUrl"], ["params", "baseURL"]] as const;

/** Where a spec may give its API key: its own `apiKey`, or `params.apiKey` / `params.configuration.apiKey` (`ChatOpenAI` reads both). */
const API_KEY_PLACES = [["apiKey"], ["params", "apiKey"], ["params", "configuration", "apiKey"]] as const;

/** Constructor fields that say where requests go and with which key: the connection's, never replaced by `params`. */
const CONNECTION_FIELDS = ["apiKey", "baseURL", "baseUrl"] as const;

/** A connection option as given in a spec: its path from the spec (`params.configuration.baseURL`) and its value. */
interface Given {
  readonly place: string;
  readonly value: unknown;
}

function givenAt(spec: ModelSpec, places: readonly (readonly string[])[]): Given[] {
  return places.flatMap((path) => {
    let value: unknown = spec;
    for (const key of path) value = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
    return value === undefined ? [] : [{ place: path.join("."), value }];
  });
}

/** The base URL a spec gives, wherever it gives it. */
export function baseURLOf(spec: ModelSpec): string | undefined {
  const given = givenAt(spec, BASE_URL_PLACES)[0]?.value;
  return given === undefined ? undefined : String(given);
}

/** The API key a spec gives as a string, wherever it gives it (`ChatOpenAI` also takes a function, which has no text to show). */
export function apiKeyOf(spec: ModelSpec): string | undefined {
  return givenAt(spec, API_KEY_PLACES).find(({ value }) => typeof value === "string")?.value as string | undefined;
}

/** True when the spec gives an API key anywhere (a string, or a function `ChatOpenAI` calls for one). */
export function hasApiKey(spec: ModelSpec): boolean {
  return givenAt(spec, API_KEY_PLACES).length > 0;
}

/** Every API key a spec gives as a string, to be kept out of errors, traces and logs. */
export function apiKeysOf(spec: ModelSpec): string[] {
  return givenAt(spec, API_KEY_PLACES).flatMap(({ value }) => (typeof value === "string" && value !== "" ? [value] : []));
}

/** Base URLs that differ by trailing slashes only name the same server. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
  if (a instanceof URL || b instanceof URL) return sameValue(String(a), String(b));
  return a === b;
}

/**
 * Refuses a spec that gives its base URL, or its API key, in two places with different values (`baseURL`
 * and `params.configuration.baseURL`, `apiKey` and `params.apiKey`, ...): one of them would be dropped,
 * and a key could go to a host it was not meant for. Throws a {@link MoAConfigError} naming both places
 * under `option` (e.g. `proposers[0].params.configuration.baseURL` and `proposers[0].baseURL`); values
 * are not shown (a key never is).
 */
export function checkConnectionOptions(spec: ModelSpec, option: string): void {
  const checks = [
    [BASE_URL_PLACES, "base URL", "the model's requests, and its API key, go to one host"],
    [API_KEY_PLACES, "API key", "the model sends one key"],
  ] as const;
  for (const [places, what, why] of checks) {
    const [first, ...others] = givenAt(spec, places);
    const differing = first && others.find(({ value }) => !sameValue(value, first.value));
    if (first && differing) {
      throw new MoAConfigError(`${option}.${differing.place}`, `gives the ${what} differently from ${option}.${first.place}; give it in one place: ${why}`);
    }
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A model's constructor fields: `fields` (its connection and the spec's portable settings) with the
 * client options of `params` merged in. `params` may override a default (`maxRetries`, `streaming`,
 * `fetch`) but not the connection: `configuration` is merged key by key (it holds `ChatOpenAI`'s base
 * URL, which a `params.configuration` with only a `fetch` would otherwise drop), and the connection's
 * `apiKey`, `baseURL` and `baseUrl` are kept.
 */
export function withClientParams(fields: Readonly<Record<string, unknown>>, params: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  if (params === undefined) return { ...fields };
  const merged: Record<string, unknown> = { ...fields, ...params };
  if (isRecord(fields.configuration)) merged.configuration = { ...(isRecord(params.configuration) ? params.configuration : {}), ...fields.configuration };
  for (const key of CONNECTION_FIELDS) if (fields[key] !== undefined) merged[key] = fields[key];
  return merged;
}
