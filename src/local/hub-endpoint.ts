/** The Hugging Face endpoint `hf:` URIs are fetched from: the hub, or a mirror named by `MODEL_ENDPOINT` or `HF_ENDPOINT`. */
import { MoAConfigError } from "../errors.js";

const DEFAULT_HUB = "https://huggingface.co/";

/**
 * The Hugging Face endpoint `hf:` URIs are fetched from, with a trailing slash: `MODEL_ENDPOINT` (llama.cpp's
 * variable, which node-llama-cpp reads first), else `HF_ENDPOINT`, else `https://huggingface.co/`.
 * @throws {MoAConfigError} when the variable is set to something other than an `http(s)://` URL.
 */
export function hubEndpoint(env: NodeJS.ProcessEnv = process.env): string {
  for (const name of ["MODEL_ENDPOINT", "HF_ENDPOINT"] as const) {
    const value = env[name]?.trim();
    if (!value) continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new MoAConfigError(name, `"${value}" is not a URL; set it to the http(s):// URL of a Hugging Face mirror, or unset it`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new MoAConfigError(name, `"${value}" is not an http(s):// URL; set it to the URL of a Hugging Face mirror, or unset it`);
    }
    return value.endsWith("/") ? value : `${value}/`;
  }
  return DEFAULT_HUB;
}

/** Which variable set the endpoint (`MODEL_ENDPOINT` or `HF_ENDPOINT`), for messages; `undefined` for the default hub. */
export function endpointVariable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.MODEL_ENDPOINT?.trim() ? "MODEL_ENDPOINT" : env.HF_ENDPOINT?.trim() ? "HF_ENDPOINT" : undefined;
}
