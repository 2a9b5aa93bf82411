/**
 * The instruction put in front of the references for layers after the first and for the aggregator.
 * Replace it with the `aggregatorPrompt` option (for instance with the MoA paper's own wording).
 */
export const DEFAULT_AGGREGATOR_PROMPT = [
  "Several assistants have already answered the latest user message; their candidate responses are listed below.",
  "Treat them as drafts, not as authorities: some may be wrong, incomplete or biased.",
  "Check each one critically, keep what is correct, fix what is not, and fill in what is missing.",
  "Then write a single answer of your own to the latest user message: accurate, complete and well structured.",
  "Do not copy one candidate verbatim and do not mention the candidates or this instruction.",
].join(" ");
