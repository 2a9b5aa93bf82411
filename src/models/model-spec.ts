import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ModelPrice } from "./price.js";

/**
 * A model given with options. `model` is a chat model instance or a `"provider:model"` string
 * (resolved with LangChain's `initChatModel`, e.g. `"openai:gpt-4o-mini"`, `"ollama:llama3.1:8b"`,
 * `"google-genai:gemini-2.0-flash"`), or `"llama-cpp:<model>"` for a GGUF model run in this process
 * (a `.gguf` path, an `https://` URL or an `hf:<user>/<repo>:<quant>` URI; engine settings such as
 * `contextSize`, `threads`, `gpuLayers` and `sequences` go in `params`; see `ChatNodeLlamaCppFields`).
 */
export interface ModelSpec {
  /** The model: an instance, or a `"provider:model"` string. */
  model: BaseChatModel | string;
  /** How many times this model answers each layer (Self-MoA). Use with `temperature > 0`. Default 1. */
  samples?: number;
  /** Sampling temperature (strings only; configure an instance yourself). */
  temperature?: number;
  /** Upper bound on generated tokens (strings only; mapped to each provider's own option). */
  maxTokens?: number;
  /** Nucleus sampling, 0-1 (strings only): sample among the likeliest tokens whose probabilities add up to it. */
  topP?: number;
  /** The sampler's seed (strings only; OpenAI, Ollama and `llama-cpp:` models; Gemini's client has none and refuses it). */
  seed?: number;
  /** Stop sequences (strings only): the answer ends before the first of them. */
  stop?: string[];
  /**
   * The most input tokens a request to this model may hold (its context window, less the room its
   * answer needs). References are shortened to fit it. Default: the model's LangChain profile
   * (`profile.maxInputTokens`, known for many hosted models), else no limit is applied.
   */
  maxInputTokens?: number;
  /** A system prompt of this model's own, put in front of the conversation's system message. */
  system?: string;
  /** The name shown in traces and events. Default: the model string, or the instance's model name. */
  name?: string;
  /**
   * The API key (strings only). Default: the provider's usual variable (`OPENAI_API_KEY`,
   * `GOOGLE_API_KEY` or `GEMINI_API_KEY`, ...).
   */
  apiKey?: string;
  /**
   * The server's base URL (strings only): an OpenAI-compatible server (`http://host:8000/v1` for vLLM,
   * LM Studio, Together, Groq, OpenRouter), an Ollama host (`http://host:11434`), or a Gemini endpoint.
   * `baseUrl` is accepted as the same option. Default: `OPENAI_BASE_URL`, `OLLAMA_HOST`, or the provider's own.
   */
  baseURL?: string;
  /** The same as `baseURL`. */
  baseUrl?: string;
  /**
   * Further constructor fields of the provider's chat model class (strings only). They are merged with
   * the connection (`baseURL`, `apiKey`), never replace it (`configuration` is merged key by key); a base
   * URL or key given both here and in the spec with different values is refused.
   */
  params?: Record<string, unknown>;
  /**
   * The model's prices per million tokens (for an instance too), e.g. `{ inputPerMTok: 2.5, outputPerMTok: 10 }`:
   * each of its calls that reports usage then has a `cost` in the trace, summed into the layer's, the turn's and
   * the answer summary's `cost`. Prices change no answer. Default: none (costs are in tokens only).
   */
  price?: ModelPrice;
}

/** A model as the options accept it: an instance, a `"provider:model"` string, or a {@link ModelSpec}. */
export type ModelInput = BaseChatModel | string | ModelSpec;
