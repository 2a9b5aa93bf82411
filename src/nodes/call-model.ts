import { setMaxListeners } from "node:events";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { CallbackManager } from "@langchain/core/callbacks/manager";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { Runnable, RunnableConfig } from "@langchain/core/runnables";
import { MoATimeoutError } from "../errors.js";
import { IncompleteAnswerError, emptyAnswerOf, finishReasonIn, isCutShort } from "../models/answer-end.js";
import { followAbort, withCallSignal } from "../models/call-signal.js";
import { tokensCanReachSomeone } from "../models/callback-handlers.js";
import { acquireAll } from "../models/concurrency-limit.js";
import type { ModelSlot } from "../models/model-slots.js";
import { outsideTurnContext } from "../models/outside-turn-context.js";
import { isRetryable, retryDelayMs, type RetryPolicy } from "../models/retry.js";
import { turnTimeoutError, type TurnDeadline } from "../models/turn-timeout.js";
import { toFormattedAnswer } from "./bind-answer-format.js";

/** How a model call is labelled for stream consumers and traces. */
export interface CallLabel {
  /** `proposer` or `aggregator`. */
  readonly role: "proposer" | "aggregator";
  /** The 1-based layer, or `"aggregate"`. */
  readonly layer: number | "aggregate";
  /** Which aggregator of the fallback list this is (0 for the first). */
  readonly attempt?: number;
  /** Hide the call's tokens from LangGraph's `messages` stream (used by the chat-model facade). */
  readonly hidden?: boolean;
  /**
   * An aggregator's answer that is not the turn's (a window before the last, see `referenceFit`): hidden
   * from every stream, and marked `moa_draft: true` in the call's metadata.
   */
  readonly draft?: boolean;
  /** Called for each token the call streams. */
  readonly onToken?: () => void;
  /** Ask the model to stream even when no stream consumer (such as LangGraph's) asks for it. */
  readonly stream?: boolean;
}

/** How long a call may take and how it is retried. */
export interface CallPolicy {
  /** Timeout of one attempt, in milliseconds. */
  readonly timeoutMs?: number;
  /** When the turn must be done. */
  readonly deadline?: TurnDeadline;
  /** Retries of 429, 5xx and dropped connections. */
  readonly retry: RetryPolicy;
  /** Aborts the call from outside the graph's own signal (a layer's quorum). */
  readonly signal?: AbortSignal;
}

/** How the model is asked, beyond the messages: what it is bound to, and further call options. */
export interface CallRequest {
  /** Turns the model into what is invoked (tools bound, structured output); default: the model itself. */
  readonly bind?: (model: BaseChatModel) => Runnable<BaseMessage[], unknown>;
  /** Call options of the model, such as `stop`. */
  readonly options?: Readonly<Record<string, unknown>>;
  /**
   * Have the model stream even when no one reads its tokens: OpenAI's client parses a `json_schema` answer
   * itself when it is not streamed, and throws on one cut at the token limit before LangChain's parser
   * could hand back the raw message.
   */
  readonly preferStreaming?: boolean;
}

/** The `configurable` key with which a caller asks the aggregator (and only it) to stream its answer. */
export const STREAM_ANSWER_KEY = "moa_stream_answer";

/** A model's answer with the times it was asked and answered (epoch milliseconds). */
export interface TimedAnswer {
  /** The model's answer. */
  readonly message: AIMessage;
  /** When the call started (its first attempt). */
  readonly startedAt: number;
  /** When the answer was complete. */
  readonly endedAt: number;
  /** Attempts made (1 when the first succeeded). */
  readonly attempts: number;
  /** The parsed object, when structured output was asked for (`null` when the answer did not parse). */
  readonly parsed?: unknown;
}

/** Who a run of the turn is, for stream consumers and traces. */
export interface RunLabel {
  /** The run's name, e.g. `moa_proposer`. */
  readonly runName: string;
  readonly role: CallLabel["role"];
  readonly layer: CallLabel["layer"];
  /** The proposer (or aggregator) id, and its model's display name. */
  readonly proposer: string;
  readonly model: string;
  /** Tag it `nostream`, so LangGraph's `messages` stream leaves it out. */
  readonly hidden: boolean;
  /** Further metadata of the run. */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/**
 * The config of a run of the turn (a model call, a replayed answer): LangChain's `RunnableConfig` fields of
 * the node's `config`, named `label.runName`, with the tag `moa:<role>` (and `nostream` when hidden) and
 * the metadata `moa_role`, `moa_layer`, `moa_proposer` and `moa_model` added to `config`'s. LangGraph's own
 * fields (`writer`, `interrupt`, `control`, `executionInfo`, `store`) are left out: a model has no use for
 * them, and LangChain would carry each as a call option (copied, then deleted, on every call).
 */
export function runConfig(config: RunnableConfig, label: RunLabel): RunnableConfig {
  const { callbacks, configurable, recursionLimit, maxConcurrency, runId, timeout, signal } = config;
  return {
    callbacks,
    configurable,
    recursionLimit,
    maxConcurrency,
    runId,
    timeout,
    signal,
    runName: label.runName,
    tags: [...(config.tags ?? []), `moa:${label.role}`, ...(label.hidden ? ["nostream"] : [])],
    // Object.assign, not a spread followed by new keys: V8 11 (Node 20) adds each such key in the runtime, ~1 µs apiece.
    metadata: Object.assign({}, config.metadata, { moa_role: label.role, moa_layer: label.layer, moa_proposer: label.proposer, moa_model: label.model }, label.metadata),
  };
}

/** Epoch milliseconds with sub-millisecond precision. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Calls `slot`'s model with `messages` under the node's `config` (so callbacks, streaming and abort
 * signals carry over), tagged `moa:<role>` and with `moa_role`, `moa_layer`, `moa_proposer` and
 * `moa_model` metadata. Each attempt holds a permit of the slot's concurrency limits and ends at its
 * timeout, the turn's deadline or an abort, even when the provider's client ignores abort signals;
 * retryable failures are retried after the server's `Retry-After` or a backoff.
 */
export async function callModel(
  slot: ModelSlot,
  messages: BaseMessage[],
  config: RunnableConfig,
  label: CallLabel,
  policy: CallPolicy,
  request: CallRequest = {},
): Promise<TimedAnswer> {
  const model = slot.peekModel() ?? (await slot.getModel());
  const runnable = request.bind ? request.bind(model) : model;
  // Once the aggregator's answer has started streaming, a retry would repeat it: its consumer has the tokens.
  let answerStarted = false;
  // A streamed answer's finish reason reaches only callbacks (LangChain keeps it in the generation's info).
  let finishReason: string | undefined;
  const run = runConfig(config, {
    runName: `moa_${label.role}`,
    role: label.role,
    layer: label.layer,
    proposer: slot.id,
    model: slot.label,
    hidden: label.hidden === true || label.draft === true,
    metadata: { ...(label.attempt !== undefined ? { moa_attempt: label.attempt } : {}), ...(label.draft ? { moa_draft: true } : {}) },
  });
  // A handler of ours only where tokens can reach someone (each handler makes LangChain serialize the model
  // and run its callbacks on every call).
  const visible = watchesTokens(label, config);
  // Tokens no one can see (a stream asked for only to read the answer whole) start nothing.
  const onAnyToken = () => {
    if (!visible) return;
    answerStarted = true;
    label.onToken?.();
  };
  const events: WatcherEvents = { onAnyToken, onFinish: (reason) => (finishReason = reason) };
  const callbacks = visible || request.preferStreaming ? withHandler(config.callbacks, tokenWatcher(label, events, request.preferStreaming === true)) : config.callbacks;
  const startedAt = now();
  const call = bounded(config.signal, policy.signal, policy.deadline);
  try {
    for (let attempts = 1; ; attempts++) {
      let retryable: unknown;
      let errorHeaders: Headers | undefined;
      // Waiting for a permit is bounded by the turn, not by the call timeout, which times the request alone.
      const release = await acquireAll(slot.limits, call.signal);
      const attempt = bounded(call.signal, undefined, undefined, policy.timeoutMs);
      let pending: Promise<unknown> | undefined;
      try {
        finishReason = undefined;
        const options = Object.assign({}, request.options, run, { callbacks, signal: attempt.signal });
        const invoke = () => outsideTurnContext(() => runnable.invoke(messages, options));
        pending = slot.usesCallSignal ? withCallSignal(attempt.signal, invoke, (headers) => (errorHeaders = headers)) : invoke();
        const answer = toFormattedAnswer(await untilAborted(pending, attempt.signal).catch(emptyAnswerOf));
        withFinishReason(answer.message, finishReason);
        if (isCutShort(answer.message)) throw new IncompleteAnswerError();
        return Object.assign(answer, { startedAt, endedAt: now(), attempts });
      } catch (error) {
        const cause = withResponseHeaders(attempt.signal.aborted ? attempt.signal.reason : error, errorHeaders);
        const streamedAnswer = label.role === "aggregator" && answerStarted;
        if (attempt.signal.aborted || streamedAnswer || attempts > policy.retry.maxRetries || !isRetryable(cause)) throw cause;
        retryable = cause;
      } finally {
        attempt.clear();
        if (pending && attempt.signal.aborted) releaseWhenClosed(pending, release);
        else release();
      }
      await pause(retryDelayMs(retryable, attempts, policy.retry), call.signal);
    }
  } finally {
    call.clear();
  }
}

/**
 * A signal that aborts with `parent`, with `extra`, at the turn's deadline (a turn {@link MoATimeoutError})
 * or after `timeoutMs` (a call {@link MoATimeoutError}); `clear` stops its timers.
 */
export function bounded(
  parent: AbortSignal | undefined,
  extra: AbortSignal | undefined,
  deadline?: CallPolicy["deadline"],
  timeoutMs?: number,
): { signal: AbortSignal; clear: () => void } {
  // Nothing to add to the parent's signal: it is the call's signal as it is.
  if (extra === undefined && deadline === undefined && timeoutMs === undefined && parent !== undefined) return { signal: parent, clear: () => undefined };
  const own = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const abortAfter = (ms: number, reason: MoATimeoutError) => {
    if (ms <= 0) own.abort(reason);
    else timers.push(setTimeout(() => own.abort(reason), ms));
  };
  if (timeoutMs !== undefined) abortAfter(timeoutMs, new MoATimeoutError("call", timeoutMs));
  if (deadline !== undefined) abortAfter(deadline.at - now(), turnTimeoutError(deadline));
  // Linked by hand (not AbortSignal.any) so that the listener leaves the shared signal when the call ends.
  const unlink = [parent, extra].map((source) => link(source, own));
  return {
    signal: own.signal,
    clear: () => {
      timers.forEach(clearTimeout);
      unlink.forEach((undo) => undo());
    },
  };
}

/** Aborts `target` when `source` aborts, until the returned function is called. */
function link(source: AbortSignal | undefined, target: AbortController): () => void {
  // Every call of a layer listens to the same step and quorum signals; that is many listeners, not a leak.
  if (source !== undefined) setMaxListeners(0, source);
  return followAbort(source, target);
}

/** How long an abandoned request may keep its permit while its client closes it. */
const CLOSE_GRACE_MS = 2_000;

/** Time for a closed connection's end to reach the server, so that it does not overlap the next request. */
const CLOSE_PROPAGATION_MS = 50;

/**
 * Gives the permit back once an abandoned request has really ended (its client closed the connection,
 * and the close has had time to reach the server), so that a limit counts the requests still open at
 * the server; a client that ignores abort signals keeps the permit for at most {@link CLOSE_GRACE_MS}.
 */
function releaseWhenClosed(request: Promise<unknown>, release: () => void): void {
  const grace = setTimeout(release, CLOSE_GRACE_MS);
  grace.unref();
  request
    .then(
      () => undefined,
      () => undefined,
    )
    .finally(() => {
      clearTimeout(grace);
      setTimeout(release, CLOSE_PROPAGATION_MS).unref();
    });
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Whether a call needs {@link tokenWatcher}: when it is asked to stream, or when a callback handler (LangGraph's
 * `messages` stream, `streamEvents`, the caller's own) can receive its tokens. With no handler, no one sees
 * a token before the answer is complete, so a retry or a fallback repeats nothing and `onToken` has no
 * token to report.
 */
function watchesTokens({ stream }: CallLabel, config: RunnableConfig): boolean {
  return stream === true || tokensCanReachSomeone(config.callbacks);
}

/** `error` with the headers of the failed response it stands for, when its client kept none (so that its `Retry-After` is read). */
function withResponseHeaders(error: unknown, headers: Headers | undefined): unknown {
  if (headers === undefined || typeof error !== "object" || error === null || "headers" in error) return error;
  return Object.assign(error, { headers });
}

function hasToolCallChunks(chunk: unknown): boolean {
  const message = (chunk as { message?: { tool_call_chunks?: unknown[] } } | undefined)?.message;
  return (message?.tool_call_chunks?.length ?? 0) > 0;
}

/** Records `reason` as the answer's `finish_reason` when the answer carries none of its own (a streamed one). */
function withFinishReason(message: AIMessage, reason: string | undefined): void {
  if (reason !== undefined && finishReasonIn(message.response_metadata) === undefined) message.response_metadata.finish_reason = reason;
}

/** What {@link tokenWatcher} reports: each token, and the finish reason of the generation at its end. */
interface WatcherEvents {
  readonly onAnyToken: () => void;
  readonly onFinish: (reason: string | undefined) => void;
}

function tokenWatcher({ stream }: CallLabel, events: WatcherEvents, preferStreaming: boolean): BaseCallbackHandler {
  const handler = BaseCallbackHandler.fromMethods({
    // A token of whitespace alone (a stream's opening or closing chunk, the blank lines before an answer that
    // turns out empty) shows nothing to take back: it does not start the answer.
    handleLLMNewToken: (token, _index, _runId, _parentRunId, _tags, fields) => {
      if (token.trim() === "" && !hasToolCallChunks(fields?.chunk)) return;
      events.onAnyToken();
    },
    handleLLMEnd: (output) => events.onFinish(finishReasonIn(output.generations[0]?.[0]?.generationInfo)),
  });
  // Chat models stream (instead of generating in one piece) when a handler prefers it.
  // Awaited, so the flags are set before the call's error is handled.
  return Object.assign(handler, { lc_prefer_streaming: stream === true || preferStreaming, awaitHandlers: true });
}

function withHandler(callbacks: RunnableConfig["callbacks"], handler: BaseCallbackHandler): RunnableConfig["callbacks"] {
  if (callbacks === undefined) return [handler];
  if (Array.isArray(callbacks)) return [...callbacks, handler];
  // Inherited, so that the model reached inside a bound runnable (structured output: model, then parser) has it.
  return (callbacks as CallbackManager).copy([handler], true);
}
