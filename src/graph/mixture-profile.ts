import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ModelProfile } from "@langchain/core/language_models/profile";
import type { ModelSlot } from "../models/model-slots.js";

/** Providers whose LangChain chat model class binds tools and has `withStructuredOutput`. */
const TOOL_CALLING_PROVIDERS = new Set(["openai", "ollama", "google-genai", "anthropic", "groq", "mistralai", "bedrock", "google-vertexai", "azure_openai", "fireworks", "together", "xai", "deepseek", "cerebras"]);

/**
 * What is known of one model: its own profile, or what its provider implies before it is created, with
 * its spec's `maxInputTokens` over the profile's.
 */
function knownProfile(slot: ModelSlot): { model?: BaseChatModel; profile: ModelProfile } {
  const limit = slot.maxInputTokens === undefined ? {} : { maxInputTokens: slot.maxInputTokens };
  const model = slot.peekModel();
  if (model !== undefined) {
    const profile = model.profile;
    const canBind = typeof model.bindTools === "function";
    return { model, profile: { ...profile, toolCalling: profile.toolCalling ?? (canBind ? true : false), ...limit } };
  }
  return { profile: { ...(slot.provider !== undefined && TOOL_CALLING_PROVIDERS.has(slot.provider) ? { toolCalling: true } : {}), ...limit } };
}

/** A voted answer is a proposal's text: it calls no tool and is no structured output. */
const VOTED: ModelProfile = { toolCalling: false, toolChoice: false, structuredOutput: false };

/** `true` when every value is true, `false` when one is false, else unknown. */
function all(values: ReadonlyArray<boolean | undefined>): boolean | undefined {
  if (values.some((value) => value === false)) return false;
  return values.every((value) => value === true) ? true : undefined;
}

/** The smallest of the values, when every one is known. */
function smallest(values: ReadonlyArray<number | undefined>): number | undefined {
  return values.every((value): value is number => value !== undefined) && values.length > 0 ? Math.min(...values) : undefined;
}

/**
 * What a mixture supports, from its models' LangChain profiles: tools, tool choice and structured
 * output are the aggregators' (they act; proposers only advise), inputs and the context window are
 * those every model shares (each one reads the conversation), output limits the aggregators'.
 * A model given as a string is known by its provider until its first turn creates it, and by its own
 * profile after. Unknown facts are left out. With no aggregator (`aggregation: "vote"`) the answer is a
 * proposal's: no tools, no structured output, and the proposers' output limits.
 */
export function mixtureProfile(proposers: readonly ModelSlot[], aggregators: readonly ModelSlot[]): ModelProfile {
  const readers = [...proposers, ...aggregators].map(knownProfile).map((known) => known.profile);
  const voted = aggregators.length === 0;
  const actors = (voted ? proposers : aggregators).map(knownProfile).map((known) => (voted ? { ...known.profile, ...VOTED } : known.profile));
  const facts: ModelProfile = {
    toolCalling: all(actors.map((p) => p.toolCalling)),
    toolChoice: all(actors.map((p) => p.toolChoice)),
    structuredOutput: all(actors.map((p) => p.structuredOutput)),
    imageInputs: all(readers.map((p) => p.imageInputs)),
    imageUrlInputs: all(readers.map((p) => p.imageUrlInputs)),
    pdfInputs: all(readers.map((p) => p.pdfInputs)),
    audioInputs: all(readers.map((p) => p.audioInputs)),
    maxInputTokens: smallest(readers.map((p) => p.maxInputTokens)),
    maxOutputTokens: smallest(actors.map((p) => p.maxOutputTokens)),
    reasoningOutput: all(actors.map((p) => p.reasoningOutput)),
  };
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined)) as ModelProfile;
}
