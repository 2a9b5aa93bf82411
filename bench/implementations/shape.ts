import { library } from "../library.js";

const { DEFAULT_AGGREGATOR_PROMPT, formatReferences } = library;

/** The shape of a mixture: proposers per layer and layers (one aggregator call follows the last layer). */
export interface Shape {
  readonly proposers: number;
  readonly layers: number;
}

/** The OpenAI-compatible endpoint and model every call of a turn goes to. */
export interface Target {
  /** Base URL including `/v1`. */
  readonly baseURL: string;
  readonly model: string;
}

/** One turn of a mixture over a fixed question; resolves to the final answer's text. */
export type Turn = () => Promise<string>;

/** An implementation of the same turn, built for a target and a shape. */
export interface Implementation {
  /** Short name, used as the results' key. */
  readonly name: string;
  /** What it is, for the report. */
  readonly label: string;
  create(target: Target, shape: Shape): Turn;
}

/** The question of every benchmark turn. */
export const QUESTION = "What are the trade-offs of a mixture of agents?";

/**
 * The system text a call of `target` receives: the MoA instruction and the previous layer's answers
 * (none in layer 1), exactly as the library writes it.
 */
export function referencesText(references: readonly string[], target: number | "aggregate"): string | undefined {
  if (target === 1) return undefined;
  return formatReferences({ instruction: DEFAULT_AGGREGATOR_PROMPT, references, target });
}
