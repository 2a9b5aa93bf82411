export { createMixtureOfAgents, buildMixtureOfAgents, type MixtureOfAgentsGraph, type BuildSettings } from "./graph/build.js";
export {
  MixtureOfAgents,
  type MixtureOfAgentsCallOptions,
  type MixtureOfAgentsFields,
  type ShowInternal,
  type StructuredOutputSchema,
} from "./graph/chat-model.js";
export type { MixtureOfAgentsOptions, TimeoutOptions, QuorumOptions, ConcurrencyOptions } from "./state/options.js";
export type { RetryOptions } from "./models/retry.js";
export { MoAStateAnnotation, type MoAState, type MoAStateUpdate } from "./state/state.js";
export type { Proposal, EmptyAnswer, EmptyReason } from "./state/proposal.js";
export type { CallRef } from "./models/usage.js";
export { getMoATrace, type MoATrace, type LayerTrace, type CallRecord } from "./state/trace.js";
export { getMoASummary, type MoAAnswerSummary } from "./state/answer-summary.js";
export type { AnswerFormat, ToolBinding, ToolSummary, StructuredOutputRequest } from "./state/answer-format.js";
export { formatProposal } from "./graph/format-proposal.js";
export { PROPOSAL_EVENT, PROPOSAL_START_EVENT, type ProposalEvent, type ProposalStartEvent } from "./nodes/proposal-event.js";
export type { ProposeTask } from "./nodes/propose.js";
export type { ModelInput, ModelSpec } from "./models/model-spec.js";
export { formatUsage, type TokenUsage } from "./models/usage.js";
export { costOf, formatCost, type ModelPrice } from "./models/price.js";
export { DEFAULT_AGGREGATOR_PROMPT } from "./prompts/aggregator-prompt.js";
export { formatReferences, type ReferenceFormatter, type ReferenceContext } from "./prompts/format-references.js";
export { REFERENCE_PLACEMENTS, type ReferencePlacement } from "./prompts/place-references.js";
export {
  MoAError,
  MoAConfigError,
  MoAInputError,
  ProposersFailedError,
  AggregatorFailedError,
  MoATimeoutError,
  MoAThreadBusyError,
  MoAModelFileError,
  type ModelFileErrorReason,
  type ModelFailure,
} from "./errors.js";
export type { CallError, CallErrorKind } from "./state/call-error.js";
export { ChatNodeLlamaCpp, type ChatNodeLlamaCppFields, type ChatNodeLlamaCppCallOptions } from "./local/chat-node-llama-cpp.js";
export { unloadLocalModels, type LocalGpu } from "./local/local-engine.js";
