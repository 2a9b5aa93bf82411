/** Before the first question: can every model (proposers, aggregators, judge) be created? */
import { MoAConfigError, type MixtureOfAgentsOptions, type ModelInput } from "../src/index.js";
import { createAllModels } from "../src/models/create-all-models.js";
import { toModelSlots } from "../src/models/model-slots.js";
import { redactSecrets } from "../src/models/redact-secrets.js";
import { UsageError } from "../tools/usage-error.js";

/**
 * Creates every model of the evaluation once, so that a missing key or provider package is reported for
 * all models at once (an {@link UsageError} naming each model and its fix) instead of failing every answer.
 */
export async function checkModels(moa: MixtureOfAgentsOptions, judge: ModelInput): Promise<void> {
  const aggregators = Array.isArray(moa.aggregator) ? moa.aggregator : [moa.aggregator];
  const groups = [toModelSlots(moa.proposers, "proposers"), toModelSlots(aggregators as ModelInput[], "aggregator"), toModelSlots([judge], "judge")];
  const apiKeys = groups.flatMap((group) => group.apiKeys);
  try {
    await createAllModels(groups.flatMap((group) => group.slots), (text) => redactSecrets(text, apiKeys));
  } catch (error) {
    // The judge is one model, not a list: name it as the user wrote it.
    if (MoAConfigError.isInstance(error)) throw new UsageError(error.message.replaceAll("judge[0]", "judge"));
    throw error;
  }
}
