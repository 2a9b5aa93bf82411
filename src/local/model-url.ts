/**
 * URLs of models as they may be shown and stored: without their secrets (userinfo, query values), and
 * told apart by a short hash of the whole URL (the cache key of a URL download).
 */
import { createHash } from "node:crypto";

/** A short hash (12 hex digits of SHA-256) of `text`: tells two URLs apart without showing them. */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 12);
}

/**
 * `url` without its secrets: no `user:password@`, and each query value replaced by `…` (`?token=…`),
 * except flags that cannot be secrets (empty, `true`, `false`, `0`, `1`: `?download=true`).
 * Not a URL: returned as it is.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return url;
  const pairs = [...parsed.searchParams].map(([key, value]) => `${encodeURIComponent(key)}=${/^(true|false|[01])?$/i.test(value) ? value : "…"}`);
  const query = parsed.search === "" ? "" : `?${pairs.join("&")}`;
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}${query}${parsed.hash}`;
}

/** `text` with every `http(s)://` URL in it passed through {@link redactUrl}: for messages that quote URLs. */
export function redactText(text: string): string {
  return text.replace(/https?:\/\/[^\s"'<>`]+/gi, (url) => redactUrl(url));
}

/**
 * The key of `model` in the models directory's index: an `hf:` URI as it is; a URL as its redacted form
 * and a hash of the whole URL (`<redacted>#<hash>`), so the index holds no secret and two URLs that
 * differ only in a secret or a query value do not share an entry.
 */
export function modelIndexKey(model: string): string {
  return /^https?:\/\//i.test(model) ? `${redactUrl(model)}#${shortHash(model)}` : model;
}
