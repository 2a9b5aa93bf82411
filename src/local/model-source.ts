/**
 * What a model string names, read the way node-llama-cpp reads it: a local file, a URL, an
 * `hf:<user>/<repo>:<tag>` URI or an `hf:<user>/<repo>/<file>` URI; and, for the remote ones, the first
 * URL a download requests and the name the file is saved under.
 */
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MoAConfigError } from "../errors.js";
import { shortHash } from "./model-url.js";

/** What a model string names. */
export type ModelSource =
  | { readonly kind: "file"; readonly path: string }
  | { readonly kind: "url"; readonly url: string }
  | { readonly kind: "hf-tag"; readonly user: string; readonly repo: string; readonly tag: string }
  | { readonly kind: "hf-file"; readonly user: string; readonly repo: string; readonly file: string; readonly branch: string };

/** A {@link ModelSource} that is downloaded: a URL or an `hf:` URI. */
export type RemoteModelSource = Exclude<ModelSource, { kind: "file" }>;

const HF_PREFIXES = ["hf://", "huggingface://", "hf:", "huggingface:", "hf.co/", "huggingface.co/"];
/** The quantization names node-llama-cpp upper-cases in an `hf:<user>/<repo>:<tag>` URI (`q8_0` -> `Q8_0`). */
const QUANT_NAME = /^(?:I?Q\d+(?:_[A-Z0-9]+)*|TQ\d_\d|MXFP4(?:_MOE)?|NVFP4|B?F16|F32|COPY)$/i;
const SAFE_NAME = /^[A-Za-z0-9._-]{1,100}$/;

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") || path.startsWith("~\\") ? join(homedir(), path.slice(1)) : path;
}

/**
 * Reads a model string the way node-llama-cpp does (`hf:` URIs, URLs), with local paths resolved against the working directory.
 * @throws {MoAConfigError} for an `hf:` URI that cannot be read.
 */
export function parseModelSource(model: string): ModelSource {
  const text = model.trim();
  if (/^https?:\/\//i.test(text)) return { kind: "url", url: text };
  if (/^file:\/\//i.test(text)) return { kind: "file", path: fileURLToPath(text) };
  const prefix = HF_PREFIXES.find((p) => text.toLowerCase().startsWith(p));
  if (prefix === undefined) return { kind: "file", path: resolve(expandHome(text)) };
  const content = text.slice(prefix.length);
  const [user = "", repoPart = "", ...pathParts] = content.split("/");
  let rest = pathParts.join("/");
  if (rest === "" || repoPart.includes(":")) {
    const [repo = "", ...tagParts] = repoPart.split(":");
    if (user === "" || repo === "") throw invalidUri(model);
    const tag = tagParts.join(":").trim();
    return { kind: "hf-tag", user, repo, tag: QUANT_NAME.test(tag) ? tag.toUpperCase() : tag };
  }
  let branch = "main";
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    branch = rest.slice(hash + 1) || "main";
    rest = rest.slice(0, hash);
  }
  if (user === "" || repoPart === "" || rest === "") throw invalidUri(model);
  return { kind: "hf-file", user, repo: repoPart, file: rest, branch };
}

function invalidUri(model: string): MoAConfigError {
  return new MoAConfigError("model", `"${model}" is not a valid Hugging Face URI; use hf:<user>/<repo>:<quant> or hf:<user>/<repo>/<file>.gguf`);
}

/** The first URL a download of `source` requests: the manifest of an `hf:` tag, the file of an `hf:` file URI, or the URL. */
export function firstUrl(source: RemoteModelSource, endpoint: string): string {
  const enc = encodeURIComponent;
  switch (source.kind) {
    case "url":
      return source.url;
    case "hf-tag":
      return `${endpoint}v2/${enc(source.user)}/${enc(source.repo)}/manifests/${enc(source.tag || "latest")}`;
    case "hf-file":
      return `${endpoint}${enc(source.user)}/${enc(source.repo)}/resolve/${enc(source.branch)}/${source.file.split("/").map(enc).join("/")}?download=true`;
  }
}

/** A split model's part (`-00001-of-00003.gguf`): node-llama-cpp finds the other parts by this name. */
const SPLIT_PART = /-\d{5}-of-\d{5}\.gguf$/i;

/**
 * The file name a URL is saved under: its last segment with a short hash of the whole URL before the
 * extension (`model-1a2b3c4d5e6f.gguf`), so that two URLs ending in the same name are two files. It is
 * passed to node-llama-cpp as `fileName`. `undefined` for a split model's part, which keeps
 * node-llama-cpp's own name (its other parts are found by it).
 */
export function urlFileName(url: string): string | undefined {
  let last = "";
  try {
    last = decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "");
  } catch {
    return undefined;
  }
  if (SPLIT_PART.test(last)) return undefined;
  const gguf = last.toLowerCase().endsWith(".gguf");
  const stem = (gguf ? last.slice(0, -".gguf".length) : last).replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 80) || "model";
  return `${stem}-${shortHash(url)}.gguf`;
}

/**
 * The name `source` is saved under in the models directory, when it can be told without a request (not
 * for an `hf:` tag that is not a quantization name) and the name needs none of node-llama-cpp's
 * character replacements; `undefined` otherwise. A URL's name is {@link urlFileName}.
 */
export function expectedFileName(source: RemoteModelSource): string | undefined {
  const safe = (...parts: string[]) => parts.every((part) => SAFE_NAME.test(part));
  if (source.kind === "url") {
    const hashed = urlFileName(source.url);
    if (hashed !== undefined) return hashed;
    const name = decodeURIComponent(new URL(source.url).pathname.split("/").pop() ?? "");
    return safe(name) ? name : undefined;
  }
  const ggufRepo = source.repo.toLowerCase().endsWith("-gguf");
  const repoBase = ggufRepo ? source.repo.slice(0, -"-gguf".length) : source.repo;
  if (source.kind === "hf-tag") {
    if (!QUANT_NAME.test(source.tag) || !safe(source.user, source.repo)) return undefined;
    // hf_<user>_[<repo>_]<repo without -GGUF>.<QUANT>.gguf: the repo is left out when it ends in -GGUF.
    return `hf_${source.user}_${ggufRepo ? "" : `${source.repo}_`}${repoBase}.${source.tag}.gguf`;
  }
  const parts = source.file.split("/");
  const file = parts.pop() ?? "";
  if (source.branch !== "main" || !file.toLowerCase().endsWith(".gguf") || !safe(source.user, source.repo, file, ...parts)) return undefined;
  const withRepo = !(ggufRepo && file.toLowerCase().endsWith(".gguf") && file.toLowerCase().startsWith(repoBase.toLowerCase()));
  if (parts.length > 0 && parts.at(-1)!.toLowerCase() === file.slice(0, -".gguf".length).toLowerCase()) parts.pop();
  return ["hf", source.user, ...(withRepo ? [source.repo] : []), ...(parts.length > 0 ? [parts.join("__")] : []), file].join("_");
}
