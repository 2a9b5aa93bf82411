/** The systems an evaluation compares: the MoA of a config, and each of its proposers alone. */
import type { MixtureOfAgentsOptions } from "../src/index.js";
import { isChatModel } from "../src/models/validate-spec.js";
import { describeMixture, type MixtureDescription } from "./describe-mixture.js";
import { mixtureAnswer } from "./mixture.js";
import type { AnswerFunction } from "./model-answer.js";
import { singleModel, withoutSamples } from "./single-model.js";
import { stableHash } from "./stable-hash.js";

/** One system under evaluation. */
export interface EvalSystem {
  /**
   * Identifies the system's settings in the answer cache: a changed config gets new answers, while
   * an API key (never part of the id, never written to disk) may change freely.
   */
  readonly id: string;
  /** `MoA`, or the proposer's name or model string. */
  readonly label: string;
  readonly kind: "moa" | "single";
  readonly answer: AnswerFunction;
  /** The MoA's models and layers, as its report names them (the MoA only). */
  readonly mixture?: MixtureDescription;
}

/**
 * The MoA of `options` first, then one single system per distinct proposer (a proposer sampled n times,
 * as in Self-MoA, is one system answering once).
 */
export function evalSystems(options: MixtureOfAgentsOptions): EvalSystem[] {
  const shared = { retry: options.retry, timeouts: options.timeouts, concurrency: options.concurrency };
  // How calls are paced or retried does not change what the MoA answers; its timeouts can (a slow proposer left out).
  const { concurrency: _concurrency, retry: _retry, name: _name, rounds, ...answering } = options;
  const layers = answering.layers ?? (rounds ?? 0) + 1;
  const moa: EvalSystem = { id: `moa-${stableHash(identity({ ...answering, layers }))}`, label: "MoA", kind: "moa", answer: mixtureAnswer(options), mixture: describeMixture(options) };
  const singles = new Map<string, EvalSystem>();
  for (const proposer of options.proposers) {
    const id = `single-${stableHash(identity(withoutSamples(proposer)))}`;
    if (singles.has(id)) continue;
    const model = singleModel(proposer, shared);
    singles.set(id, { id, label: model.label, kind: "single", answer: model.answer });
  }
  return [moa, ...uniqueLabels([...singles.values()])];
}

/** Keys of a model spec that change no answer: an API key, a display name, prices. */
const NOT_ANSWERING = new Set(["apiKey", "name", "price"]);

/**
 * What a system's answers depend on: its settings without API keys, names and prices (so that giving
 * prices keeps the cached answers, with the cost they were recorded with); a model instance by its name.
 */
export function identity(value: unknown): unknown {
  if (isChatModel(value)) return { instance: value.getName(), model: (value as { model?: unknown }).model ?? null };
  if (Array.isArray(value)) return value.map(identity);
  if (typeof value === "function") return value.toString();
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !NOT_ANSWERING.has(key)).map(([key, item]) => [key, identity(item)]));
}

/** Two proposers on one model with different settings would show the same label: number them. */
function uniqueLabels(systems: EvalSystem[]): EvalSystem[] {
  const counts = new Map<string, number>();
  for (const { label } of systems) counts.set(label, (counts.get(label) ?? 0) + 1);
  const seen = new Map<string, number>();
  return systems.map((system) => {
    if ((counts.get(system.label) ?? 0) < 2) return system;
    const k = (seen.get(system.label) ?? 0) + 1;
    seen.set(system.label, k);
    return { ...system, label: `${system.label} #${k}` };
  });
}
