import { randomUUID } from "node:crypto";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BaseChatModelParams,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { IterableReadableStream } from "@langchain/core/utils/stream";
import { MoAConfigError } from "../errors.js";
import type { ModelInput } from "../models/model-spec.js";
import type { ProposalEvent } from "../nodes/proposal-event.js";
import { STREAM_ANSWER_KEY } from "../nodes/call-model.js";
import { compileMixtureOfAgents } from "./build.js";
import { childCallbacks } from "./child-callbacks.js";
import type { MixtureOfAgentsOptions } from "../state/options.js";
import type { MoAState } from "../state/state.js";
import { formatProposal } from "./format-proposal.js";
import { TURN_METADATA_KEY, TurnEventsHandler } from "./turn-events-handler.js";

/** What to do with each proposal as it finishes: print it (`true`), or hand it to a function. */
export type ShowInternal = boolean | ((proposal: ProposalEvent) => void);

/**
 * Fields of the {@link MixtureOfAgents} chat model: the MoA options (without `checkpointer`: a chat model
 * is given the whole conversation on every call), the reference implementation's names as aliases,
 * and the usual chat-model parameters (callbacks, tags, metadata, ...).
 */
export interface MixtureOfAgentsFields
  extends BaseChatModelParams, Partial<Omit<MixtureOfAgentsOptions, "checkpointer">> {
  /** Alias of `aggregator`. */
  mainModel?: ModelInput | readonly ModelInput[];
  /** Alias of `proposers`. */
  referenceModels?: readonly ModelInput[];
  /** Print each proposal with its layer and model (`true`), or pass it to a function. Default `false`. */
  showInternal?: ShowInternal;
}

/**
 * Mixture-of-Agents as a LangChain chat model: a drop-in replacement for a model anywhere in LangChain
 * (`prompt.pipe(moa)`, `moa.invoke`, `moa.stream`, `moa.batch`, `withRetry`, a node of another graph).
 * Each call runs one MoA turn over the messages given; `stream()` yields only the final answer's tokens.
 * Each proposal is also emitted as the callback event `moa_proposal`.
 *
 * @example
 * const moa = new MixtureOfAgents({ mainModel: "openai:gpt-4o", referenceModels: ["openai:gpt-4o-mini", "ollama:llama3.1"], rounds: 1 });
 * const answer = await moa.invoke("What is MoA?");
 */
export class MixtureOfAgents extends BaseChatModel {
  /** The compiled MoA graph this model runs (its model calls are hidden from `messages` streams). */
  readonly graph;
  /** What happens to each proposal as it finishes. */
  showInternal: ShowInternal;

  static override lc_name(): string {
    return "MixtureOfAgents";
  }

  constructor(fields: MixtureOfAgentsFields) {
    super(fields ?? {});
    if (typeof fields !== "object" || fields === null) {
      throw new MoAConfigError("fields", "expected { mainModel | aggregator, referenceModels | proposers, ... }");
    }
    this.showInternal = fields.showInternal ?? false;
    if (typeof this.showInternal !== "boolean" && typeof this.showInternal !== "function") {
      throw new MoAConfigError("showInternal", "expected a boolean or a function (proposal) => void");
    }
    // A chat model is stateless: its graph never writes into the checkpointer of a graph that calls it.
    this.graph = compileMixtureOfAgents(toOptions(fields), { hideModelCalls: true }, { checkpointer: false, name: fields.name });
  }

  override _llmType(): string {
    return "mixture-of-agents";
  }

  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"], runManager?: CallbackManagerForLLMRun): Promise<ChatResult> {
    const state = await this.runTurn(messages, options, runManager);
    const message = finalMessage(state);
    return { generations: [{ text: message.text, message }], llmOutput: { moa: message.response_metadata.moa } };
  }

  override async *_streamResponseChunks(
    messages: BaseMessage[],
    options: this["ParsedCallOptions"],
    runManager?: CallbackManagerForLLMRun,
  ): AsyncGenerator<ChatGenerationChunk> {
    const stop = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
    // Cancelled when the consumer stops reading: then the rest of the turn is aborted.
    const chunks = new IterableReadableStream<ChatGenerationChunk>({
      start: (controller) => {
        const onChunk = (chunk: ChatGenerationChunk) => {
          // Empty chunks (a provider's finish or usage events) carry nothing: the closing chunk has the usage.
          if (!stop.signal.aborted && chunk.text !== "") controller.enqueue(toAnswerChunk(chunk));
        };
        this.runTurn(messages, { ...options, signal }, runManager, onChunk).then(
          (state) => {
            if (stop.signal.aborted) return;
            controller.enqueue(closingChunk(finalMessage(state)));
            controller.close();
          },
          (error: unknown) => controller.error(error),
        );
      },
      cancel: () => stop.abort(),
    });
    const reportTokens = runManager !== undefined && !isRootOfEventStream(runManager);
    for await (const chunk of chunks) {
      yield chunk;
      if (reportTokens) await runManager.handleLLMNewToken(chunk.text, undefined, undefined, undefined, undefined, { chunk });
    }
  }

  private async runTurn(
    messages: BaseMessage[],
    options: BaseChatModelCallOptions,
    runManager: CallbackManagerForLLMRun | undefined,
    onAggregatorChunk?: (chunk: ChatGenerationChunk) => void,
  ): Promise<MoAState> {
    const turn = randomUUID();
    const handler = new TurnEventsHandler({ turn, onProposal: this.proposalListener(), onAggregatorChunk });
    const callbacks = childCallbacks(runManager);
    callbacks.addHandler(handler, true);
    return this.graph.invoke(
      { messages },
      {
        callbacks,
        signal: options.signal,
        metadata: { [TURN_METADATA_KEY]: turn },
        configurable: { [STREAM_ANSWER_KEY]: onAggregatorChunk !== undefined },
      },
    );
  }

  private proposalListener(): ((event: ProposalEvent) => void) | undefined {
    const show = this.showInternal;
    if (typeof show === "function") return show;
    return show ? (event) => console.info(formatProposal(event)) : undefined;
  }
}

function toOptions(fields: MixtureOfAgentsFields): MixtureOfAgentsOptions {
  const { mainModel, referenceModels, aggregator, proposers } = fields;
  if (mainModel !== undefined && aggregator !== undefined) {
    throw new MoAConfigError("mainModel", "give mainModel or its alias aggregator, not both");
  }
  if (referenceModels !== undefined && proposers !== undefined) {
    throw new MoAConfigError("referenceModels", "give referenceModels or its alias proposers, not both");
  }
  const { mainModel: _m, referenceModels: _r, showInternal: _s, callbacks: _c, tags: _t, metadata: _md, verbose: _v, ...rest } = fields;
  return { ...rest, aggregator: (aggregator ?? mainModel) as ModelInput, proposers: (proposers ?? referenceModels) as ModelInput[] };
}

function finalMessage(state: MoAState): AIMessage {
  const last = state.messages.at(-1);
  if (!AIMessage.isInstance(last)) throw new Error("The MoA turn ended without an answer");
  return last;
}

/** A token chunk of the aggregator, without its own usage (the closing chunk carries the turn's). */
function toAnswerChunk(chunk: ChatGenerationChunk): ChatGenerationChunk {
  return new ChatGenerationChunk({ text: chunk.text, message: new AIMessageChunk({ content: chunk.message.content }) });
}

/** The last chunk of a stream: no text, the turn's total usage and its trace. */
function closingChunk(message: AIMessage): ChatGenerationChunk {
  return new ChatGenerationChunk({
    text: "",
    message: new AIMessageChunk({
      content: "",
      ...(message.usage_metadata ? { usage_metadata: message.usage_metadata } : {}),
      response_metadata: { moa: message.response_metadata.moa },
    }),
  });
}

/**
 * `streamEvents` takes a root run's tokens from its output stream, and drops its token callbacks only
 * while no other run is open; this model's inner runs are open, so reporting them would double each token.
 */
function isRootOfEventStream(runManager: CallbackManagerForLLMRun): boolean {
  return runManager.parentRunId === undefined && runManager.handlers.some((handler) => handler.name === "event_stream_tracer");
}
