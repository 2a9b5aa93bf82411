/**
 * Why a turn failed, as a headline and the models' causes said once each: a layer whose three proposers
 * could not reach one server shows that server once, not three times in one long paragraph.
 */
import { AggregatorFailedError, MoAConfigError, MoAInputError, ProposersFailedError, type ModelFailure, type ProposalEvent } from "../../src/index.js";
import { causeOf, groupLine, groupProblems, type ModelProblem, type ProblemGroup } from "./model-problems.js";
import { failureText } from "./turn-summary.js";
import { wrapIndented } from "./wrap.js";

/** A turn's failure: what happened, then each cause with the models it struck. */
export interface TurnFailure {
  readonly headline: string;
  readonly groups: readonly ProblemGroup[];
  /** The layer whose proposers all failed, when that ended the turn. */
  readonly layer?: number;
}

/** Reads `error` (a turn's rejection) as a {@link TurnFailure}; an error without per-model causes is its headline alone. */
export function describeTurnFailure(error: unknown): TurnFailure {
  if (ProposersFailedError.isInstance(error)) {
    return { headline: beforeCauses(error.message), groups: groupProblems(error.failures.map(problemOf)), layer: error.layer };
  }
  if (AggregatorFailedError.isInstance(error)) {
    return { headline: beforeCauses(error.message), groups: groupProblems(error.failures.map(problemOf)) };
  }
  // Models that cannot be created are listed one a line: `- Invalid proposers[0]: model "x" (provider p) has no API key: …`.
  if (MoAConfigError.isInstance(error) && error.message.includes("\n- ")) {
    const [head = "", ...items] = error.message.split("\n- ");
    const problems = items.map((item) => {
      const model = /model "([^"]+)"/.exec(item)?.[1] ?? "";
      return { model, cause: causeOf(item, model) };
    });
    return { headline: head.replace(/^Invalid models: /, ""), groups: groupProblems(problems) };
  }
  return { headline: failureText(error), groups: [] };
}

/**
 * `failure` wrapped to `width`: the headline after `lead` (its next lines after `indent`), then each
 * cause as a bullet under it; a cause `said` already for each of its models (in an earlier layer of the
 * turn) is not repeated.
 */
export function failureLines(failure: TurnFailure, width: number, lead: string, indent: string, said: (problem: ModelProblem) => boolean = () => false): string[] {
  const shown = (group: ProblemGroup) => (group.models.every((model) => said({ model, cause: group.cause })) ? { ...group, cause: AS_SAID } : group);
  return [
    ...wrapIndented(failure.headline, width, lead, indent),
    ...failure.groups.flatMap((group) => wrapIndented(groupLine(shown(group)), width, `${indent}- `, `${indent}  `)),
  ];
}

/** Stands for a cause said in an earlier layer of the turn. */
const AS_SAID = "as said above";

/** True when `error` ended the turn before any model was called (models that cannot be created, a bad input). */
export function failedBeforeCalls(error: unknown): boolean {
  return MoAConfigError.isInstance(error) || MoAInputError.isInstance(error);
}

/** The failed proposals of one layer as problems, for grouping. */
export function proposalProblems(events: readonly ProposalEvent[]): ModelProblem[] {
  return events.flatMap((event) => (event.error ? [{ model: event.id, cause: causeOf(event.error.message, event.id, event.error.code) }] : []));
}

function problemOf(failure: ModelFailure): ModelProblem {
  const { code } = failure.error as { code?: unknown };
  return { model: failure.id, cause: causeOf(failure.error.message, failure.id, typeof code === "string" ? code : undefined) };
}

/** `Layer 1: 0 proposal(s) succeeded, … Causes: a; b` → its part before the causes, listed apart. */
function beforeCauses(message: string): string {
  const at = message.indexOf(" Causes: ");
  return at < 0 ? message : message.slice(0, at);
}
