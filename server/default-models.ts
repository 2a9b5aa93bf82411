/**
 * The served MoA's default models, looked up once per process with the same rules as the conversation
 * example (MOA_PROPOSERS / MOA_AGGREGATOR, the providers whose keys are set, a local Ollama's models, the
 * embedded default).
 */
import { discoverDefaultModels, type DefaultModels } from "../examples/conversation/default-models.js";

let defaults: Promise<DefaultModels> | undefined;

/** The environment's default models; a failed lookup is tried again on the next call. */
export function serverDefaultModels(): Promise<DefaultModels> {
  defaults ??= discoverDefaultModels(process.env).catch((error: unknown) => {
    defaults = undefined;
    throw error;
  });
  return defaults;
}
