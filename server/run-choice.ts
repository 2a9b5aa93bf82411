/**
 * A run's model choice on LangGraph Server belongs to that run alone. The server stores the `configurable`
 * of every run on its thread and merges it into each later run of the thread (and into the config a state
 * read builds the graph with), so a choice given there would stick to the thread, and a rejected one would
 * fail every later run. A run's `context` is not stored. {@link moveRunChoiceToContext} moves the choice
 * from a run request's `configurable` to its `context`, where the graph factory reads it.
 */
import { servedConfigSchema } from "../src/state/options-schema.js";

/** The `configurable` keys of a run's model choice: the fields of {@link servedConfigSchema}. */
export const RUN_CHOICE_KEYS: readonly string[] = Object.keys(servedConfigSchema.shape);

/** The key of `context` under which a run request's `configurable` choice travels, kept apart so its errors name `configurable`. */
export const MOVED_CHOICE_KEY = "configurable";

/** POST paths that create runs: `/threads/<id>/runs`, `/runs`, with `/stream` or `/wait` (not crons, whose config is meant to last). */
const RUN_CREATION_PATH = /^(\/threads\/[^/]+)?\/runs(\/stream|\/wait)?\/?$/;

/** Whether a POST to `path` creates a run. */
export function createsRun(path: string): boolean {
  return RUN_CREATION_PATH.test(path);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * `body` (a run request: `{ input, config: { configurable }, context, ... }`) with the keys of
 * {@link RUN_CHOICE_KEYS} taken out of `config.configurable` and put in `context[MOVED_CHOICE_KEY]`;
 * `body` itself when it has none of them. Values are moved as given, valid or not: the graph factory
 * checks them, so that a wrong one fails its run with the factory's error.
 */
export function moveRunChoiceToContext(body: unknown): unknown {
  if (!isRecord(body) || !isRecord(body.config) || !isRecord(body.config.configurable)) return body;
  const configurable = { ...body.config.configurable };
  const moved: Record<string, unknown> = {};
  for (const key of RUN_CHOICE_KEYS) {
    if (key in configurable) {
      moved[key] = configurable[key];
      delete configurable[key];
    }
  }
  if (Object.keys(moved).length === 0) return body;
  const context = isRecord(body.context) ? body.context : {};
  return { ...body, config: { ...body.config, configurable }, context: { ...context, [MOVED_CHOICE_KEY]: moved } };
}
