/**
 * Display names of the configured models, known before any model answers, so the status lines can name
 * every proposer from the start of a turn. They follow the library's ids: the spec's `name` or the
 * model string, with `#k` appended when a name repeats (samples).
 */
import type { ModelInput, ModelSpec } from "../../src/index.js";

/** The name of one model input (as given on the command line or in a config file: a string or a spec). */
export function modelName(input: ModelInput): string {
  if (typeof input === "string") return input.trim();
  const spec = input as Partial<ModelSpec>;
  if (typeof spec.name === "string" && spec.name !== "") return spec.name;
  return typeof spec.model === "string" ? spec.model.trim() : "model";
}

/** One name per proposer call of a layer, in the library's order (each sample of a spec in turn). */
export function proposerIds(proposers: readonly ModelInput[]): string[] {
  const names = proposers.flatMap((input) => {
    const samples = typeof input === "object" && "samples" in input && typeof input.samples === "number" ? input.samples : 1;
    return Array.from({ length: samples }, () => modelName(input));
  });
  const seen = new Map<string, number>();
  return names.map((name) => {
    const total = names.filter((other) => other === name).length;
    const k = (seen.get(name) ?? 0) + 1;
    seen.set(name, k);
    return total > 1 ? `${name}#${k}` : name;
  });
}

/** The aggregators, in the order they are tried. */
export function aggregatorNames(aggregator: ModelInput | readonly ModelInput[]): string[] {
  return (Array.isArray(aggregator) ? (aggregator as readonly ModelInput[]) : [aggregator as ModelInput]).map(modelName);
}
