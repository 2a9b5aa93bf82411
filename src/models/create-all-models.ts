import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { MoAConfigError } from "../errors.js";
import type { ModelSlot } from "./model-slots.js";

/** Creates every model, and reports every one that cannot be created in one error. */
export async function createAllModels(slots: readonly ModelSlot[], redact: (text: string) => string): Promise<BaseChatModel[]> {
  const results = await Promise.allSettled(slots.map((slot) => slot.getModel()));
  const problems = [...new Set(results.flatMap((r) => (r.status === "rejected" ? [redact(String(r.reason instanceof Error ? r.reason.message : r.reason))] : [])))];
  if (problems.length === 1) throw (results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason;
  if (problems.length > 1) throw new MoAConfigError("models", `${problems.length} models cannot be used:\n- ${problems.join("\n- ")}`);
  return results.map((r) => (r as PromiseFulfilledResult<BaseChatModel>).value);
}
