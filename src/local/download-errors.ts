/**
 * The errors of a model download, as {@link MoAModelFileError}s that name the model, the URL tried and
 * where a copy of the file would be found.
 */
import { join } from "node:path";
import { MoAModelFileError, type ModelFileErrorReason } from "../errors.js";
import { endpointVariable } from "./hub-endpoint.js";
import { expectedFileName, type RemoteModelSource } from "./model-source.js";
import { redactText, redactUrl } from "./model-url.js";

/** What is being downloaded, and from where: what the messages of its errors are made of. */
export interface DownloadContext {
  /** The model as given (trimmed). */
  readonly model: string;
  readonly source: RemoteModelSource;
  /** The models directory. */
  readonly directory: string;
  /** The Hugging Face endpoint, with a trailing slash. */
  readonly endpoint: string;
  /** The first URL requested (a manifest, or the file). */
  readonly url: string;
}

/** The model as shown in messages and error fields: a URL without its secrets ({@link redactText}). */
export function shownModel(context: DownloadContext): string {
  return redactText(context.model);
}

/** Where a copy of the file would be found, for messages: a path, or the directory. */
export function copyHint(context: DownloadContext): { path?: string; text: string } {
  const name = expectedFileName(context.source);
  if (name !== undefined) {
    const path = join(context.directory, name);
    return { path, text: `put the .gguf file at ${path}, or give the path of a local .gguf file as the model` };
  }
  return { text: `give the path of a local .gguf file as the model (downloads are kept in ${context.directory})` };
}

/** ` and HF_ENDPOINT (<endpoint>)` for an `hf:` model fetched from a mirror, else `""`: appended to "Check the network connection". */
export function endpointNote(context: DownloadContext): string {
  if (context.source.kind === "url") return "";
  const variable = endpointVariable();
  return variable ? ` and ${variable} (${context.endpoint})` : "";
}

/** An `offline` error: `url` could not be reached (`why`), and no copy of the file is here. */
export function offlineError(context: DownloadContext, url: string, why: string, cause?: unknown): MoAModelFileError {
  const hint = copyHint(context);
  const shown = redactUrl(url);
  return new MoAModelFileError(
    { model: shownModel(context), reason: "offline", url: shown, ...(hint.path ? { path: hint.path } : {}) },
    `Cannot download model "${shownModel(context)}": ${redactText(why)} (${shown}), and no copy of it is in ${context.directory}. ` +
      `Check the network connection${endpointNote(context)}, or ${hint.text}.`,
    { cause },
  );
}

/** The `code` of `error` or of an error in its cause chain (`ECONNREFUSED`, ...). */
function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === "object" && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A node-llama-cpp or ipull failure as a {@link MoAModelFileError}: `not_found` (404), `offline` (a network error), else `failed`. */
export function toModelFileError(error: unknown, context: DownloadContext): MoAModelFileError {
  if (MoAModelFileError.isInstance(error)) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const message = redactText(raw);
  const model = shownModel(context);
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  const errorUrl = (error as { url?: unknown } | null)?.url;
  const rawUrl = typeof errorUrl === "string" ? errorUrl : context.url;
  const url = redactUrl(rawUrl);
  const hint = copyHint(context);
  const base = { model, url, ...(hint.path ? { path: hint.path } : {}) };
  const make = (reason: ModelFileErrorReason, text: string, extra: { status?: number } = {}) =>
    new MoAModelFileError({ ...base, reason, ...extra }, text, { cause: error });

  // node-llama-cpp's words for a manifest that answered 400 or 404.
  const quant = /^Cannot get quantization "(.*)" for model "(.*)" or it does not exist/.exec(raw);
  if (quant) {
    return make(
      "not_found",
      `The hub has no quantization "${quant[1]}" of ${quant[2]} (404 from ${url}): check the user and repo names and the quantization ` +
        `(the repo's file list shows those it has, e.g. Q4_K_M, Q8_0), or name a file: hf:<user>/<repo>/<file>.gguf.`,
      { status: 404 },
    );
  }
  if (typeof status === "number") {
    if (status === 404) {
      const what = context.source.kind === "url" ? `There is no file at ${url}` : `The hub has no file ${url}`;
      return make("not_found", `${what} (404) for model "${model}": check the user, repo and file names.`, { status });
    }
    const access = status === 401 || status === 403 ? " The repo may be gated or private: accept its terms on the hub and set HF_TOKEN." : "";
    return make("failed", `Downloading model "${model}" failed: ${url} answered ${status}.${access}`, { status });
  }
  const code = networkCode(error);
  if (code !== undefined || /fetch failed/.test(message)) {
    return offlineError(context, rawUrl, `the request failed${code ? ` (${code})` : ""}`, error);
  }
  return make("failed", `Downloading model "${model}" from ${url} failed: ${message}`);
}
