/** Where downloaded models are kept: the per-user cache directory, or the one `MOA_MODELS_DIR` names. */
import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

/**
 * The per-user cache directory for models, without `MOA_MODELS_DIR`: `$XDG_CACHE_HOME/langgraph-moa/models`
 * (else `~/.cache/langgraph-moa/models`) on Linux and other Unixes, `~/Library/Caches/langgraph-moa/models`
 * on macOS, `%LOCALAPPDATA%\langgraph-moa\models` (else `~\AppData\Local\...`) on Windows.
 */
export function defaultModelsDirectory(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (platform === "win32") {
    const local = env.LOCALAPPDATA && isAbsolute(env.LOCALAPPDATA) ? env.LOCALAPPDATA : join(home, "AppData", "Local");
    return join(local, "langgraph-moa", "models");
  }
  if (platform === "darwin") return join(home, "Library", "Caches", "langgraph-moa", "models");
  // The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
  const cache = env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : join(home, ".cache");
  return join(cache, "langgraph-moa", "models");
}

/** The models directory used: `directory` if given, else `MOA_MODELS_DIR` if set, else {@link defaultModelsDirectory}; absolute. */
export function resolveModelsDirectory(directory?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(directory || env.MOA_MODELS_DIR || defaultModelsDirectory(env));
}
