import type { ModelSlot } from "../models/model-slots.js";
import type { ResolvedMoAOptions } from "../state/options.js";

/**
 * Keys whose values are or may hold secrets (API keys, tokens, any HTTP headers, cookies): never part of
 * an identity. Headers go whole: a secret header may have any name, and headers do not shape answers.
 */
const SECRET_KEY = /key|secret|token|password|auth|credential|bearer|header|cookie|session/i;

/**
 * A short name of the mixture for traces and `ls_model_name`: its proposers (with their sample counts)
 * and its aggregator, e.g. `moa(openai:gpt-4o-mini, ollama:llama3.1 x2 -> openai:gpt-4o; 2 layers)`.
 */
export function mixtureName(options: ResolvedMoAOptions): string {
  const counts = new Map<string, number>();
  for (const slot of options.proposers) counts.set(slot.label, (counts.get(slot.label) ?? 0) + 1);
  const proposers = [...counts].map(([label, n]) => (n > 1 ? `${label} x${n}` : label)).join(", ");
  const aggregator = options.aggregators.map((slot) => slot.label).join(" | ");
  return `moa(${proposers} -> ${aggregator}; ${options.layers} layer${options.layers === 1 ? "" : "s"})`;
}

/**
 * What tells this mixture's answers from another's, for LangChain's cache key: every model (its
 * display name, class and own identifying parameters) and every option that shapes an answer.
 * API keys and other secrets are left out, and whatever is left is masked with `redact` too.
 */
export function mixtureIdentity(options: ResolvedMoAOptions, redact: (text: string) => string): string {
  const identity = {
    proposers: options.proposers.map(modelIdentity),
    aggregators: options.aggregators.map(modelIdentity),
    layers: options.layers,
    instruction: options.instruction,
    format: options.format.toString(),
    referencePlacement: options.referencePlacement,
    referenceFit: options.referenceFit,
    minProposals: options.minProposals,
    quorum: options.quorum,
    proposeOn: options.proposeOn,
  };
  return redact(JSON.stringify(identity));
}

function modelIdentity(slot: ModelSlot): unknown {
  const model = slot.peekModel();
  const own = model && slot.provider === undefined ? withoutSecrets(model._identifyingParams()) : undefined;
  return {
    label: slot.label,
    system: slot.system,
    settings: withoutSecrets(slot.settings),
    maxInputTokens: slot.maxInputTokens,
    ...(model && slot.provider === undefined ? { class: model.getName(), params: own } : {}),
  };
}

function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 4 || typeof value === "function") return undefined;
  if (Array.isArray(value)) return value.map((item) => withoutSecrets(item, depth + 1));
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SECRET_KEY.test(key))
      .map(([key, item]) => [key, withoutSecrets(item, depth + 1)]),
  );
}
