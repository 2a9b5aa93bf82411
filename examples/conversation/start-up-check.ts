/**
 * Before the banner: checks every configured model (see {@link checkModel}), so that a missing key, a
 * missing provider package or a server that is down is said at once, not after the first question.
 * Models that cannot be used are left out when the rest can still answer (the user is told which); when
 * nothing can answer, the conversation does not start.
 */
import { resolveOptions } from "../../src/state/options.js";
import type { ModelInput } from "../../src/index.js";
import { askHost, type HostAnswer, type HostRequest } from "./host-probe.js";
import { checkModel, type ModelVerdict } from "./model-check.js";
import { groupLine, groupProblems, type ModelProblem } from "./model-problems.js";
import { modelName } from "./model-names.js";
import type { Settings } from "./settings.js";
import { wrapIndented } from "./wrap.js";
import { UsageError } from "../../tools/usage-error.js";

/** How long a server may take to list its models, unless `MOA_CHECK_TIMEOUT_MS` says otherwise. */
export const CHECK_TIMEOUT_MS = 3_000;

/** The exit code when no model can answer. */
const NOTHING_WORKS = 1;

/** What the check leaves: the settings to go on with (without unusable models), and what to tell the user first. */
export interface StartUpCheck {
  readonly settings: Settings;
  /** Lines for stderr (models left out, servers that were slow); empty when all is well. */
  readonly notes: readonly string[];
}

/**
 * Checks the models of `settings` under `env`; text is wrapped to `width` columns. Throws a
 * {@link UsageError} (exit code 1) naming each cause once when the models left cannot answer.
 */
export async function checkAtStart(settings: Settings, env: NodeJS.ProcessEnv, width: number): Promise<StartUpCheck> {
  try {
    resolveOptions(settings.moa);
  } catch {
    // Invalid options are the conversation's to report, as the library words them.
    return { settings, notes: [] };
  }
  const proposers = settings.moa.proposers;
  const aggregators: readonly ModelInput[] = Array.isArray(settings.moa.aggregator) ? settings.moa.aggregator : [settings.moa.aggregator as ModelInput];
  const ask = sharedAsk(timeoutOf(env));
  const [proposerVerdicts, aggregatorVerdicts] = await Promise.all([
    Promise.all(proposers.map((input, i) => checkModel(input, `proposers[${i}]`, env, ask))),
    Promise.all(aggregators.map((input, i) => checkModel(input, `aggregator[${i}]`, env, ask))),
  ]);
  const usableProposers = proposers.filter((_, i) => proposerVerdicts[i]?.usable);
  const usableAggregators = aggregators.filter((_, i) => aggregatorVerdicts[i]?.usable);
  const problems = [...problemsOf(proposers, proposerVerdicts), ...problemsOf(aggregators, aggregatorVerdicts)];
  const caveats = [...caveatsOf(proposers, proposerVerdicts), ...caveatsOf(aggregators, aggregatorVerdicts)];
  const bullets = (list: readonly ModelProblem[]) => groupProblems(list).flatMap((group) => wrapIndented(groupLine(group), width, "  - ", "    "));
  const caveatLines = caveats.length > 0 ? bullets(caveats) : [];

  const minProposals = settings.moa.minProposals ?? 1;
  const proposals = usableProposers.reduce((sum, input) => sum + samplesOf(input), 0);
  const why = whyNothingWorks(usableProposers.length, usableAggregators.length, proposals, minProposals);
  if (why !== undefined) {
    const usable = usableLine(usableProposers, usableAggregators);
    throw new UsageError([
      ...wrapIndented(`${why}:`, width, ""),
      ...bullets(problems),
      ...caveatLines,
      ...(usable ? wrapIndented(`These can be used: ${usable}.`, width, "") : []),
      ...wrapIndented("Fix that, or choose other models with --proposers and --aggregator, or --config (--help lists every option).", width, ""),
    ].join("\n"), NOTHING_WORKS);
  }
  if (problems.length === 0) return { settings, notes: caveatLines.length > 0 ? [...wrapIndented("Some servers were slow to answer:", width, ""), ...caveatLines] : [] };
  const aggregator = usableAggregators.length === 1 ? usableAggregators[0] : usableAggregators;
  return {
    settings: { ...settings, moa: { ...settings.moa, proposers: usableProposers, aggregator: aggregator as ModelInput | ModelInput[] } },
    notes: [
      ...wrapIndented("Left out, as they cannot be used:", width, ""),
      ...bullets(problems),
      ...caveatLines,
      ...wrapIndented(`Going on with ${usableLine(usableProposers, usableAggregators)}.`, width, ""),
    ],
  };
}

function whyNothingWorks(proposers: number, aggregators: number, proposals: number, minProposals: number): string | undefined {
  if (proposers === 0 && aggregators === 0) return "No model can be used, so the conversation cannot start";
  if (proposers === 0) return "No proposer can be used, so the conversation cannot start";
  if (aggregators === 0) return "No aggregator can be used, so no answer could be written";
  if (proposals < minProposals) return `Only ${proposals} proposal(s) a layer can be made, fewer than minProposals (${minProposals})`;
  return undefined;
}

function problemsOf(inputs: readonly ModelInput[], verdicts: readonly ModelVerdict[]): ModelProblem[] {
  return inputs.flatMap((input, i) => {
    const verdict = verdicts[i];
    return verdict && !verdict.usable ? [{ model: modelName(input), cause: verdict.cause }] : [];
  });
}

function caveatsOf(inputs: readonly ModelInput[], verdicts: readonly ModelVerdict[]): ModelProblem[] {
  return inputs.flatMap((input, i) => {
    const verdict = verdicts[i];
    return verdict?.usable && verdict.caveat !== undefined ? [{ model: modelName(input), cause: verdict.caveat }] : [];
  });
}

/** E.g. `proposers ollama:a, ollama:b and aggregator ollama:b`; "" when none is usable. */
function usableLine(proposers: readonly ModelInput[], aggregators: readonly ModelInput[]): string {
  const part = (role: string, inputs: readonly ModelInput[]) => (inputs.length === 0 ? [] : [`${role}${inputs.length === 1 ? "" : "s"} ${inputs.map(modelName).join(", ")}`]);
  return [...part("proposer", proposers), ...part("aggregator", aggregators)].join(" and ");
}

function samplesOf(input: ModelInput): number {
  return typeof input === "object" && "samples" in input && typeof input.samples === "number" ? input.samples : 1;
}

/** Asks each server once, however many models it serves. */
function sharedAsk(timeoutMs: number): (request: HostRequest) => Promise<HostAnswer> {
  const asked = new Map<string, Promise<HostAnswer>>();
  return (request) => {
    const key = `${request.url} ${JSON.stringify(request.headers)}`;
    let answer = asked.get(key);
    if (!answer) {
      answer = askHost(request, timeoutMs);
      asked.set(key, answer);
    }
    return answer;
  };
}

function timeoutOf(env: NodeJS.ProcessEnv): number {
  const value = Number(env.MOA_CHECK_TIMEOUT_MS);
  return Number.isFinite(value) && value > 0 ? value : CHECK_TIMEOUT_MS;
}
