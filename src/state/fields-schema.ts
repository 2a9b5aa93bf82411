import { z } from "zod";
import { atLeast, expected, isObject, mixtureOfAgentsOptionsSchema, parseWith } from "./options-schema.js";

/** Fields a chat model of LangChain takes that a mixture does not, with what to use instead. */
const REFUSED = {
  callbackManager: "is not accepted: it is deprecated in LangChain; give callbacks instead",
  onFailedAttempt: "is not accepted: the mixture retries each model call itself; set retry ({ maxRetries, initialDelayMs, maxDelayMs }) and read failed attempts in the trace",
} as const;

const boolean = () => z.boolean({ error: expected("true or false") }).optional();
const int = (min: number) => atLeast(min, { integer: true }).optional();

const isCache = (value: unknown): boolean =>
  isObject(value) && typeof (value as { lookup?: unknown }).lookup === "function" && typeof (value as { update?: unknown }).update === "function";

/** The MoA options' own keys (validated by the options schema once the fields are turned into options). */
const optionKeys = Object.keys(mixtureOfAgentsOptionsSchema.shape).filter((key) => key !== "checkpointer");

const shape = {
  ...Object.fromEntries(optionKeys.map((key) => [key, z.unknown().optional()])),
  mainModel: z.unknown().optional(),
  referenceModels: z.unknown().optional(),
  showInternal: z.custom<unknown>((value) => typeof value === "boolean" || typeof value === "function", { error: expected("true, false or a function (proposal) => void") }).optional(),
  temperature: atLeast(0).optional(),
  maxTokens: int(1),
  // Never echo a key back: it may be a real one in the wrong place.
  apiKey: z.string({ error: (issue) => `expected a non-empty string; got ${typeof issue.input}` }).min(1, { error: () => "expected a non-empty string; got an empty one" }).optional(),
  stopSequences: z
    .array(z.string({ error: expected("a non-empty string") }).min(1, { error: expected("a non-empty string") }), { error: expected('an array of strings, e.g. ["END"]') })
    .optional(),
  timeout: atLeast(1).optional(),
  maxRetries: int(0),
  maxConcurrency: int(1),
  streaming: boolean(),
  disableStreaming: boolean(),
  verbose: boolean(),
  cache: z.custom<unknown>((value) => typeof value === "boolean" || isCache(value), { error: expected("true, false or a LangChain cache (a BaseCache with lookup and update)") }).optional(),
  callbacks: z.custom<unknown>((value) => Array.isArray(value) || isObject(value), { error: expected("an array of callback handlers or a CallbackManager") }).optional(),
  tags: z.array(z.string({ error: expected("a string") }), { error: expected("an array of strings") }).optional(),
  metadata: z.custom<unknown>(isObject, { error: expected("an object") }).optional(),
  outputVersion: z.enum(["v0", "v1"], { error: expected('"v0" or "v1"') }).optional(),
  ...Object.fromEntries(Object.entries(REFUSED).map(([key, why]) => [key, z.undefined({ error: () => why }).optional()])),
};

/**
 * The fields of the `MixtureOfAgents` chat model: the MoA options (without `checkpointer`), the reference
 * implementation's aliases and LangChain's standard chat-model fields. Unknown fields are refused with
 * the valid ones; the standard fields are checked here, the options by the options schema once the
 * fields are turned into options.
 */
export const chatModelFieldsSchema = z.strictObject(shape, {
  error: (issue) =>
    issue.code === "unrecognized_keys"
      ? `unknown field(s) ${issue.keys.join(", ")}; valid fields: ${Object.keys(shape).join(", ")}`
      : expected("an object with mainModel | aggregator and referenceModels | proposers")(issue),
});

/** Checks the chat model's fields; throws a `MoAConfigError` naming the field and what is valid. */
export function checkChatModelFields(fields: unknown): void {
  parseWith(chatModelFieldsSchema, fields);
}
