/** Environment variables whose values are secrets by their names. */
const SECRET_VARIABLE = /(API_KEY|_TOKEN|_SECRET)$/;

/** Shapes of common API keys, masked even when the key itself is not known. */
const KEY_SHAPES = [/\bsk-[A-Za-z0-9_-]{8,}/g, /\bAIza[0-9A-Za-z_-]{20,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/g];

const REDACTED = "[redacted]";

/**
 * Returns `text` with every known secret (the given keys and the values of `*_API_KEY`, `*_TOKEN` and
 * `*_SECRET` environment variables) and anything shaped like an API key replaced by `[redacted]`.
 */
export function redactSecrets(text: string, keys: Iterable<string> = [], env: NodeJS.ProcessEnv = process.env): string {
  const secrets = new Set<string>();
  for (const key of keys) secrets.add(key);
  for (const [name, value] of Object.entries(env)) if (SECRET_VARIABLE.test(name) && value) secrets.add(value);
  let result = text;
  // Longest first, so that a key containing another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  for (const shape of KEY_SHAPES) result = result.replace(shape, REDACTED);
  return result;
}
