import { seeded } from "../../tools/seeded-random.js";

/** The models of the long-conversation benchmark: three proposers and the aggregator. */
export const THREAD_GROWTH_MODELS = ["proposer-0", "proposer-1", "proposer-2", "aggregator"] as const;

/** Shortest and longest answer, in bytes (ASCII text, so also characters). */
export const ANSWER_BYTES: readonly [min: number, max: number] = [1024, 2048];

const WORDS = ["mixture", "agents", "latency", "quality", "proposer", "aggregator", "reference", "layer", "answer", "token", "cost", "model", "diverse", "refined", "trade-off", "parallel", "evaluation", "bias", "context", "consensus"];

/** A small stable hash of a string (FNV-1a, 32 bits). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * What `model` answers at `turn` of a conversation: words drawn from a seeded generator, between
 * {@link ANSWER_BYTES} long; the same for every implementation, so that each stores and sends the same text.
 */
export function threadGrowthAnswer(model: string, turn: number): string {
  const random = seeded(hash(`${model}#${turn}`));
  const [min, max] = ANSWER_BYTES;
  const length = min + Math.floor(random() * (max - min + 1));
  let text = `${model}, turn ${turn}:`;
  while (text.length < length) text += ` ${WORDS[Math.floor(random() * WORDS.length)]}`;
  return text.slice(0, length);
}
