/**
 * Whether one configured model can answer, found out before the first question: can it be created (its
 * key, its provider package), does its server answer, does it take the key, does the server list the
 * model (OpenAI-compatible servers, Ollama, Gemini). A server that is only slow is not held against the model.
 */
import type { ModelInput, ModelSpec } from "../../src/index.js";
import { isChatModel } from "../../src/models/validate-spec.js";
import { toModelSlots } from "../../src/models/model-slots.js";
import { resolveConnection } from "../../src/models/providers.js";
import type { HostAnswer, HostRequest } from "./host-probe.js";
import { missingModel } from "./model-listing.js";
import { causeOf } from "./model-problems.js";
import { keyVariablesOf, modelHost } from "./provider-hosts.js";

/** How a check came out: usable (perhaps with a caveat), or not, and why. */
export type ModelVerdict =
  | { readonly usable: true; readonly caveat?: string }
  | { readonly usable: false; readonly cause: string };

/** Asks a server for its model list (shared by the models of one server, so it is asked once). */
export type AskHost = (request: HostRequest) => Promise<HostAnswer>;

/**
 * Checks `input`, given as the option `option` (e.g. `proposers[1]`); `env` is the environment the
 * models read their keys and hosts from. `input` must be valid (the library's options check passed).
 */
export async function checkModel(input: ModelInput, option: string, env: NodeJS.ProcessEnv, ask: AskHost): Promise<ModelVerdict> {
  // An instance was made by its owner: nothing here knows its server.
  if (isChatModel(input)) return { usable: true };
  const spec: ModelSpec = typeof input === "string" ? { model: input } : input;
  const [slot] = toModelSlots(input, option).slots;
  const provider = slot?.provider;
  if (!slot || provider === undefined || typeof spec.model !== "string") return { usable: true };
  const model = { ...spec, model: spec.model };
  if (resolveConnection(provider, model, env).problem !== undefined) {
    return { usable: false, cause: `no API key; set ${keyVariablesOf(provider).join(" or ")}, or give "apiKey" in the model's spec` };
  }
  try {
    await slot.getModel();
  } catch (error) {
    return { usable: false, cause: causeOf(error instanceof Error ? error.message : String(error), slot.label) };
  }
  const host = modelHost(provider, model, env);
  if (!host) return { usable: true };
  const answer = await ask(host.request);
  if (answer.kind === "unreachable") return { usable: false, cause: `cannot reach ${host.endpoint} (${answer.code}); ${host.hostAdvice}` };
  if (answer.kind === "silent") return { usable: true, caveat: `${host.endpoint} did not answer within ${seconds(answer.timeoutMs)}; trying it anyway` };
  if (answer.keyRefused) return { usable: false, cause: `${host.endpoint} refused the API key (HTTP ${answer.status}); ${host.keyAdvice}` };
  const missing = answer.models ? missingModel(host, answer.models, answer.morePages) : undefined;
  return missing === undefined ? { usable: true } : { usable: false, cause: missing };
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
