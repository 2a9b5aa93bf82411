import type { BaseChatModel, BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { z } from "zod";
import { MoAConfigError } from "../errors.js";
import type { ReferenceFormatter } from "../prompts/format-references.js";
import { REFERENCE_PLACEMENTS } from "../prompts/place-references.js";
import type { Similarity } from "../agreement/similarity.js";
import type { MixtureOfAgentsOptions } from "./options.js";

/** Describes a value for an error message without dumping it. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "object" ? "an object" : typeof value;
}

type Issue = z.core.$ZodRawIssue;

/** An error message `expected <what>; got <the value's kind>`. */
export const expected = (what: string) => (issue: Issue) => `expected ${what}; got ${kindOf(issue.input)}`;

/** A number of at least `min` (an integer when `integer`), with one message for every way it can be wrong. */
export function atLeast(min: number, { integer = false } = {}) {
  const error = expected(`${integer ? "an integer" : "a number"} >= ${min}`);
  return (integer ? z.int({ error }) : z.number({ error })).min(min, { error });
}

/** A string that is not empty. */
function nonEmptyString(error: (issue: Issue) => string = expected("a non-empty string")) {
  return z.string({ error }).min(1, { error });
}

/** An object with exactly these keys: anything else is an unknown option, listed with the valid ones. */
function optionsObject<Shape extends z.core.$ZodLooseShape>(shape: Shape, notAnObject?: (issue: Issue) => string) {
  const valid = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown option(s) ${issue.keys.join(", ")}; valid options: ${valid}`
        : (notAnObject ?? expected(`an object with ${valid}`))(issue),
  });
}

/** True for a non-null object that is not an array. */
export const isObject = (value: unknown): value is object => typeof value === "object" && value !== null && !Array.isArray(value);

/** True for a chat model instance (anything with `invoke`). */
export function isChatModel(value: unknown): value is BaseChatModel {
  return typeof value === "object" && value !== null && typeof (value as BaseChatModel).invoke === "function";
}

/** Fields that configure a model created from a string; an instance is configured by its creator. */
const STRING_ONLY_FIELDS = ["temperature", "maxTokens", "topP", "seed", "stop", "apiKey", "baseURL", "baseUrl", "params"] as const;

/** A price per million tokens: a finite number >= 0 (zod's numbers are finite). */
function perMTok() {
  const error = expected("a price per million tokens, a finite number >= 0");
  return z.number({ error }).min(0, { error });
}
const modelPriceShape = { inputPerMTok: perMTok(), outputPerMTok: perMTok(), cachedInputPerMTok: perMTok().optional() };
const PRICE_FIELDS = Object.keys(modelPriceShape).join(", ");

/**
 * A model's prices per million tokens (`ModelPrice`): `inputPerMTok` and `outputPerMTok`, optionally
 * `cachedInputPerMTok`, each a finite number >= 0. Unknown fields are refused with the valid ones.
 */
export const modelPriceSchema = z.strictObject(modelPriceShape, {
  error: (issue) =>
    issue.code === "unrecognized_keys"
      ? `unknown field(s) ${issue.keys.join(", ")}; valid fields: ${PRICE_FIELDS}`
      : expected("prices per million tokens { inputPerMTok, outputPerMTok, cachedInputPerMTok? }, e.g. { inputPerMTok: 2.5, outputPerMTok: 10 }")(issue),
});

const modelSpecShape = {
  // `abort` fails the instance branch outright, so a value that is neither gets the union's message.
  model: z.union([z.string(), z.custom<BaseChatModel>(isChatModel, { abort: true })], {
    error: expected('a chat model or a "provider:model" string'),
  }),
  samples: atLeast(1, { integer: true }).optional(),
  temperature: atLeast(0).optional(),
  maxTokens: atLeast(1, { integer: true }).optional(),
  topP: atLeast(0).max(1, { error: expected("a number between 0 and 1") }).optional(),
  seed: z.int({ error: expected("an integer") }).optional(),
  stop: z.array(nonEmptyString(), { error: expected("an array of non-empty strings") }).optional(),
  maxInputTokens: atLeast(1, { integer: true }).optional(),
  system: nonEmptyString().optional(),
  name: nonEmptyString().optional(),
  // Never echo a key back: it may be a real one in the wrong place.
  apiKey: nonEmptyString((issue) => `expected a non-empty string; got ${typeof issue.input}`).optional(),
  baseURL: nonEmptyString().optional(),
  baseUrl: nonEmptyString().optional(),
  params: z.custom<Record<string, unknown>>(isObject, { error: expected("an object of constructor fields") }).optional(),
  price: modelPriceSchema.optional(),
};
const SPEC_FIELDS = Object.keys(modelSpecShape).join(", ");

/**
 * One model as the options accept it: a `"provider:model"` string, a chat model instance (an object with
 * `invoke`), or a `ModelSpec` `{ model, samples, temperature, ... }`. A string or an instance parses
 * to `{ model }`. Unknown spec fields are refused (provider-specific ones go in `params`), and so are,
 * on an instance, the fields that configure a model created from a string.
 */
export const modelInputSchema = z.preprocess(
  (input) => (typeof input === "string" || isChatModel(input) ? { model: input } : input),
  z
    .strictObject(modelSpecShape, {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `unknown field(s) ${issue.keys.join(", ")}; valid fields: ${SPEC_FIELDS} (provider-specific fields go in params)`
          : expected('a chat model, a "provider:model" string or { model, ... }')(issue),
    })
    .superRefine((spec, ctx) => {
      if (spec.baseURL !== undefined && spec.baseUrl !== undefined) {
        ctx.addIssue({ code: "custom", path: ["baseUrl"], message: "give baseURL or baseUrl (the same option), not both" });
      }
      const misplaced = isChatModel(spec.model) ? STRING_ONLY_FIELDS.find((field) => spec[field] !== undefined) : undefined;
      if (misplaced !== undefined) {
        ctx.addIssue({ code: "custom", path: [misplaced], message: 'applies to "provider:model" strings only; set it on the model instance instead' });
      }
    }),
);

const toolSchema = z.custom<BindToolsInput>((value) => isObject(value) || typeof value === "function", {
  error: expected("a tool (a LangChain tool, { name, description, schema } or a provider's tool definition)"),
});

const PROPOSE_ON = ["user_turn", "every_call"] as const;

/**
 * The options of a Mixture-of-Agents ({@link MixtureOfAgentsOptions}), checked as a whole: unknown keys
 * are refused with the valid ones, and so are combinations that contradict each other (`layers` and
 * `rounds`, `minProposals` and `quorum.min` against the proposer calls per layer, `samples` on an
 * aggregator). Models parse to `ModelSpec`s; their `"provider:model"` strings are checked when
 * their slots are made (`toModelSlots`).
 */
export const mixtureOfAgentsOptionsSchema = optionsObject(
  {
    proposers: z
      .array(modelInputSchema, { error: expected('a non-empty array of models, e.g. ["openai:gpt-4o-mini", "ollama:llama3.1"]') })
      .min(1, { error: expected('a non-empty array of models, e.g. ["openai:gpt-4o-mini", "ollama:llama3.1"]') }),
    aggregator: z
      .union([z.array(modelInputSchema).min(1, { error: expected('a model or a non-empty list of models, e.g. "openai:gpt-4o"') }), modelInputSchema], {
        error: expected('a model or a non-empty list of models, e.g. "openai:gpt-4o"'),
      })
      .optional(),
    layers: atLeast(1, { integer: true }).optional(),
    rounds: atLeast(0, { integer: true }).optional(),
    aggregatorPrompt: z.string({ error: expected("a string") }).optional(),
    formatReferences: z
      .custom<ReferenceFormatter>((value) => typeof value === "function", { error: expected("a function ({ instruction, references, target }) => string") })
      .optional(),
    referencePlacement: z
      .enum(REFERENCE_PLACEMENTS, { error: expected(REFERENCE_PLACEMENTS.map((value) => `"${value}"`).join(" or ")) })
      .optional(),
    referenceFit: z.enum(["shorten", "windows"], { error: expected('"shorten" or "windows"') }).optional(),
    aggregation: z.enum(["aggregator", "vote"], { error: expected('"aggregator" or "vote"') }).optional(),
    earlyExit: z
      .union([z.boolean(), optionsObject({ threshold: z.number({ error: expected("a number from 0 to 1") }).min(0, { error: expected("a number from 0 to 1") }).max(1, { error: expected("a number from 0 to 1") }).optional(), skipAggregator: z.boolean({ error: expected("true or false") }).optional() })], {
        error: expected("true, false or { threshold?, skipAggregator? }"),
      })
      .optional(),
    similarity: z
      .custom<Similarity>((value) => value === "normalized_text" || value === "bleu" || typeof value === "function" || (isObject(value) && typeof (value as { embedDocuments?: unknown }).embedDocuments === "function"), {
        error: expected('"normalized_text", "bleu", a LangChain Embeddings or a function (a, b) => number'),
      })
      .optional(),
    minProposals: atLeast(1, { integer: true }).optional(),
    timeouts: optionsObject({
      proposerMs: atLeast(1).optional(),
      aggregatorMs: atLeast(1).optional(),
      turnMs: atLeast(1).optional(),
    }).optional(),
    quorum: optionsObject({ min: atLeast(1, { integer: true }), graceMs: atLeast(0) }).optional(),
    retry: z
      .union(
        [
          z.literal(false),
          optionsObject({
            maxRetries: atLeast(0, { integer: true }).optional(),
            initialDelayMs: atLeast(0).optional(),
            maxDelayMs: atLeast(0).optional(),
          }),
        ],
        { error: expected("{ maxRetries, initialDelayMs, maxDelayMs } or false") },
      )
      .optional(),
    concurrency: optionsObject({
      perProvider: z
        .union([atLeast(1, { integer: true }), z.record(z.string(), atLeast(1, { integer: true }))], {
          error: expected("an integer >= 1 (for every provider) or limits per provider, e.g. { openai: 4 }"),
        })
        .optional(),
      perModel: z
        .record(z.string(), atLeast(1, { integer: true }), { error: expected('limits per model name, e.g. { "openai:gpt-4o": 2 }') })
        .optional(),
      total: atLeast(1, { integer: true }).optional(),
    }).optional(),
    checkpointer: z.custom<BaseCheckpointSaver>(isObject, { error: expected("a checkpointer (a LangGraph BaseCheckpointSaver)") }).optional(),
    name: nonEmptyString().optional(),
    tools: z.array(toolSchema, { error: expected("an array of tools") }).optional(),
    toolChoice: z
      .custom<ToolChoice>((value) => typeof value === "string" || isObject(value), {
        error: expected('a tool name, "auto", "any", "none", "required" or a provider\'s tool-choice object'),
      })
      .optional(),
    parallelToolCalls: z.boolean({ error: expected("true or false") }).optional(),
    proposeOn: z.enum(PROPOSE_ON, { error: expected(PROPOSE_ON.map((value) => `"${value}"`).join(" or ")) }).optional(),
  },
  expected("an object with proposers and aggregator"),
).superRefine((options, ctx) => {
  if (options.aggregation === "vote") {
    if (options.aggregator !== undefined) ctx.addIssue({ code: "custom", path: ["aggregator"], message: 'is not called with aggregation "vote" (the proposals are voted on); leave it out, or set aggregation "aggregator"' });
    if (options.tools !== undefined) ctx.addIssue({ code: "custom", path: ["tools"], message: 'need an aggregator to call them; aggregation "vote" answers with a proposal\'s text' });
  } else if (options.aggregator === undefined) {
    ctx.addIssue({ code: "custom", path: ["aggregator"], message: 'is required (a model or a list of models, e.g. "openai:gpt-4o"), unless aggregation is "vote"' });
  }
  const aggregators = options.aggregator === undefined ? [] : Array.isArray(options.aggregator) ? options.aggregator : [options.aggregator];
  aggregators.forEach((spec, i) => {
    if ((spec.samples ?? 1) > 1) {
      const path = Array.isArray(options.aggregator) ? ["aggregator", i, "samples"] : ["aggregator", "samples"];
      ctx.addIssue({ code: "custom", path, message: "the aggregator writes one answer; samples applies to proposers only" });
    }
  });
  const calls = options.proposers.reduce((sum, spec) => sum + (spec.samples ?? 1), 0);
  const minProposals = options.minProposals ?? 1;
  if (minProposals > calls) {
    ctx.addIssue({ code: "custom", path: ["minProposals"], message: `${minProposals} exceeds the ${calls} proposer call(s) per layer; expected 1..${calls}` });
  }
  const quorum = options.quorum;
  if (quorum && (quorum.min < minProposals || quorum.min > calls)) {
    ctx.addIssue({
      code: "custom",
      path: ["quorum", "min"],
      message: `${quorum.min} is outside ${minProposals}..${calls} (from minProposals to the proposer calls per layer)`,
    });
  }
  const { layers, rounds } = options;
  const skipsAggregator = typeof options.earlyExit === "object" && options.earlyExit.skipAggregator === true && options.aggregation !== "vote";
  if (options.earlyExit !== undefined && options.earlyExit !== false && (layers ?? (rounds ?? 0) + 1) === 1 && !skipsAggregator) {
    ctx.addIssue({ code: "custom", path: ["earlyExit"], message: "has nothing to skip with one layer: give more layers, or { skipAggregator: true } to answer with agreed proposals" });
  }
  if (layers !== undefined && rounds !== undefined && layers !== rounds + 1) {
    ctx.addIssue({
      code: "custom",
      path: ["rounds"],
      message: `rounds ${rounds} means ${rounds + 1} layers, but layers is ${layers}; give one of them (rounds = layers - 1)`,
    });
  }
});

const modelString = z.string({ error: expected('"provider:model" strings (a run may not give model objects, which could carry a base URL or key)') }).min(1, {
  error: expected('"provider:model" strings, e.g. "openai:gpt-4o-mini"'),
});

/**
 * What a run of the MoA served by LangGraph Server may set in its `configurable`. Models are
 * `"provider:model"` strings only: a model object could carry a `baseURL` and send the server's API keys
 * to a host of the caller's choosing. Other keys of `configurable` (`thread_id`, ...) pass untouched.
 */
export const servedConfigSchema = z.object({
  proposers: z
    .array(modelString, { error: expected('a non-empty array of "provider:model" strings') })
    .min(1, { error: expected('a non-empty array of "provider:model" strings') })
    .optional()
    .describe('The proposer models, as "provider:model" strings, e.g. ["openai:gpt-4o-mini", "ollama:llama3.1"]. Default: the server\'s.'),
  aggregator: z
    .union([modelString, z.array(modelString).min(1, { error: expected('a non-empty array of "provider:model" strings') })], {
      error: expected('a "provider:model" string or a non-empty array of them'),
    })
    .optional()
    .describe('The model that writes the final answer, or a list tried in order, as "provider:model" strings. Default: the first proposer when proposers are given, else the server\'s.'),
  layers: atLeast(1, { integer: true }).optional().describe("Number of proposer layers, >= 1. Default 1."),
  rounds: atLeast(0, { integer: true }).optional().describe("The reference implementation's name for layers - 1, >= 0."),
  proposeOn: z
    .enum(PROPOSE_ON, { error: expected(PROPOSE_ON.map((value) => `"${value}"`).join(" or ")) })
    .optional()
    .describe('When the proposers run in an agent loop: "user_turn" (on a new user message; after tool results the aggregator continues alone; the default) or "every_call".'),
}, { error: expected("an object") });

/** The `configurable` fields a run of the served MoA may set ({@link servedConfigSchema}). */
export type ServedConfig = z.infer<typeof servedConfigSchema>;

/** `proposers[2].samples` from `["proposers", 2, "samples"]`, under `option` when given. */
function formatPath(path: readonly PropertyKey[], option: string | undefined): string {
  let text = option ?? "";
  for (const key of path) {
    if (typeof key === "number") text = `${text}[${key}]`;
    else text = text === "" ? String(key) : `${text}.${String(key)}`;
  }
  return text === "" ? "options" : text;
}

/**
 * The issue to report: an unknown key first (a misspelled key explains a "missing" one), else the first.
 * For a union none of whose alternatives matched, the issue of the one alternative the value's type fits
 * (the others failed on the value itself), so that `aggregator[1]` is named rather than `aggregator`.
 */
function issueToReport(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue | undefined {
  const issue = issues.find((candidate) => candidate.code === "unrecognized_keys") ?? issues[0];
  if (issue?.code !== "invalid_union") return issue;
  const fitting = issue.errors.filter((alternative) => !alternative.some((inner) => inner.path.length === 0 && inner.code !== "unrecognized_keys"));
  const inner = fitting.length === 1 ? issueToReport(fitting[0] ?? []) : undefined;
  return inner ? { ...inner, path: [...issue.path, ...inner.path] } : issue;
}

/**
 * Parses `input` with `schema`, or throws a {@link MoAConfigError} for its first issue: its option is the
 * issue's path under `option` (e.g. `proposers[2].samples`; `options` for the whole input when no
 * `option` is given), its message says what is wrong and what is valid.
 */
export function parseWith<Schema extends z.ZodType>(schema: Schema, input: unknown, option?: string): z.output<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = issueToReport(result.error.issues);
  throw new MoAConfigError(formatPath(issue?.path ?? [], option), issue?.message ?? "invalid");
}

/**
 * Checks MoA options (which may come from untyped JavaScript) with {@link mixtureOfAgentsOptionsSchema}
 * and returns them parsed (models as `ModelSpec`s). Throws a {@link MoAConfigError} naming the
 * option (e.g. `proposers[2].samples`, `timeouts.turnMs`) and what is valid.
 */
export function parseOptions(input: unknown): MixtureOfAgentsOptions {
  return parseWith(mixtureOfAgentsOptionsSchema, input);
}
