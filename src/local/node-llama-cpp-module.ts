import type * as NodeLlamaCppModule from "node-llama-cpp";
import { MoAConfigError } from "../errors.js";

/** The `node-llama-cpp` module (an optional peer of this package). */
export type NodeLlamaCpp = typeof NodeLlamaCppModule;

/** The version this package is built and tested against. */
export const NODE_LLAMA_CPP_VERSION = "3.21.1";

let pending: Promise<NodeLlamaCpp> | undefined;

/**
 * Imports `node-llama-cpp` on first use, so that a user who never names a `llama-cpp:` model needs none
 * of it. Throws a {@link MoAConfigError} (option `model`) with the install command when it is missing.
 */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  pending ??= import("node-llama-cpp").catch((error: unknown) => {
    pending = undefined;
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new MoAConfigError("model", `"llama-cpp:" models run on the package node-llama-cpp, which is not installed; run: npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`);
    }
    throw error;
  });
  return pending;
}
