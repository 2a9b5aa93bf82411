/** What a reference formatter is given: the instruction and the previous layer's answers, in proposer order. */
export interface ReferenceContext {
  /** The instruction (`aggregatorPrompt`, or the default). */
  readonly instruction: string;
  /**
   * The answers of the previous layer, ordered by proposer, with reasoning written inline removed;
   * failed and cut-off proposers, and answers with no text, are left out.
   */
  readonly references: readonly string[];
  /** The layer about to run (2..layers), or `"aggregate"` for the aggregator. */
  readonly target: number | "aggregate";
}

/** Turns the instruction and references into the text a call gets (where it goes: `referencePlacement`). */
export type ReferenceFormatter = (context: ReferenceContext) => string;

/** The default formatter: the instruction, then the references numbered from 1, one block each. */
export const formatReferences: ReferenceFormatter = ({ instruction, references }) => {
  const numbered = references.map((text, i) => `${i + 1}. ${text.trim()}`);
  return [instruction, "Candidate responses:", ...numbered].join("\n\n");
};
