/** Keeping an evaluation's API keys out of what it prints. */
import type { MixtureOfAgentsOptions, ModelInput } from "../src/index.js";
import { toModelSlots } from "../src/models/model-slots.js";
import { redactSecrets } from "../src/models/redact-secrets.js";

/**
 * Masks the keys the config gives its models (and the judge), the values of `*_API_KEY`-like variables
 * and anything shaped like a key. The models are validated on the way: call it after the config was read.
 */
export function secretRedactor(moa: MixtureOfAgentsOptions, judge: ModelInput): (text: string) => string {
  const apiKeys = [toModelSlots(moa.proposers, "proposers"), toModelSlots(moa.aggregator ?? [], "aggregator"), toModelSlots(judge, "judge")].flatMap((group) => group.apiKeys);
  return (text) => redactSecrets(text, apiKeys);
}

/** `text` on one line: line breaks (an error listing several models) become spaces. */
export function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, " ");
}
