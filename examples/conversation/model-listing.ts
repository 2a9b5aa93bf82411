/**
 * Whether a server's model list has the model a spec names and, when it has not, what to say: the names
 * it does list, the closest to the one asked for first, so that a typo (`gpt-4o-mni`) shows its fix.
 */
import type { ModelHost } from "./provider-hosts.js";

/** Names shown at most; the rest are counted. */
const SHOWN = 5;

/**
 * Why `host`'s model is not among `listed` (the names its server lists), or undefined when it is, or when
 * the list cannot tell: only a first page of it (`morePages`), or, on a server other than Ollama, an empty
 * one (a proxy that routes any name may list none). Ollama lists `llama3.1:latest` for a model pulled as
 * `llama3.1`, and so does its OpenAI-compatible API.
 */
export function missingModel(host: ModelHost, listed: readonly string[], morePages = false): string | undefined {
  const name = host.listedName;
  if (morePages || (listed.length === 0 && host.provider !== "ollama")) return undefined;
  if (listed.some((entry) => entry === name || entry === `${name}:latest`)) return undefined;
  const names = closestFirst(name, listed);
  if (host.provider === "ollama") {
    const choose = names === "" ? "" : `, or use one it has (closest first): ${names}`;
    return `the Ollama at ${host.endpoint} does not have it; run "ollama pull ${name}"${choose}`;
  }
  return `${host.endpoint} does not list a model "${name}"; it lists (closest first): ${names}`;
}

/**
 * Up to {@link SHOWN} of `names`, the closest to `wanted` first (by edit distance, then by the longer
 * shared start: `llama3.1:8b` before `llama3.2:1b` for `llama3.1`; then in the server's order), the
 * rest counted.
 */
function closestFirst(wanted: string, names: readonly string[]): string {
  const target = wanted.toLowerCase();
  const ranked = names
    .map((name, order) => ({ name, order, distance: editDistance(target, name.toLowerCase()), shared: sharedStart(target, name.toLowerCase()) }))
    .sort((a, b) => a.distance - b.distance || b.shared - a.shared || a.order - b.order)
    .map(({ name }) => name);
  const shown = ranked.slice(0, SHOWN).join(", ");
  return ranked.length > SHOWN ? `${shown} and ${ranked.length - SHOWN} more` : shown;
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from `a` to `b`. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** How many characters `a` and `b` start with alike. */
function sharedStart(a: string, b: string): number {
  let n = 0;
  while (n < a.length && a[n] === b[n]) n++;
  return n;
}
