/** Before the first question: can every model (proposers, aggregators, judge) be created? */
import type { MixtureOfAgentsOptions, ModelInput } from "../src/index.js";
import { createAllModels } from "../src/models/create-all-models.js";
import { toModelSlots } from "../src/models/model-slots.js";
import { asUsageError } from "./as-usage-error.js";
import { secretRedactor } from "./secrets.js";

/**
 * Creates every model of the evaluation once, so that a missing key or provider package is reported for
 * all models at once (a `UsageError` naming each model and its fix) instead of failing every answer.
 */
export async function checkModels(moa: MixtureOfAgentsOptions, judge: ModelInput): Promise<void> {
  const slots = [toModelSlots(moa.proposers, "proposers"), toModelSlots(moa.aggregator ?? [], "aggregator"), toModelSlots(judge, "judge")].flatMap((group) => group.slots);
  const redact = secretRedactor(moa, judge);
  await asUsageError(() => createAllModels(slots, redact));
}
