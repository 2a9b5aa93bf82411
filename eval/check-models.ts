/** Before the first question: can every model (proposers, aggregators, judge) be created? */
import type { MixtureOfAgentsOptions, ModelInput } from "../src/index.js";
import { createAllModels } from "../src/models/create-all-models.js";
import { toModelSlots } from "../src/models/model-slots.js";
import { redactSecrets } from "../src/models/redact-secrets.js";
import { asUsageError } from "./as-usage-error.js";

/**
 * Creates every model of the evaluation once, so that a missing key or provider package is reported for
 * all models at once (a `UsageError` naming each model and its fix) instead of failing every answer.
 */
export async function checkModels(moa: MixtureOfAgentsOptions, judge: ModelInput): Promise<void> {
  const groups = [toModelSlots(moa.proposers, "proposers"), toModelSlots(moa.aggregator, "aggregator"), toModelSlots(judge, "judge")];
  const apiKeys = groups.flatMap((group) => group.apiKeys);
  await asUsageError(() => createAllModels(groups.flatMap((group) => group.slots), (text) => redactSecrets(text, apiKeys)));
}
