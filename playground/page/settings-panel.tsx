/**
 * The run's model choice: proposers, aggregator and layers, from the models the server offers. Untouched,
 * runs use the server's defaults; a choice is sent with each run as its `configurable` and stays with
 * that run alone.
 */
import type { OfferedModels } from "../../server/offered-models.js";

/** A run's model choice, as the served graph's `configurable` takes it. */
export interface RunChoice {
  readonly proposers: readonly string[];
  readonly aggregator: string;
  /** Proposer layers; the server refuses fewer than 1. */
  readonly layers: number;
}

function defaultsOf(offered: OfferedModels): RunChoice {
  return {
    proposers: offered.defaults.proposers.map((entry) => entry.model),
    aggregator: offered.defaults.aggregator[0]?.model ?? offered.models[0] ?? "",
    layers: offered.defaults.layers,
  };
}

function describeDefaults(offered: OfferedModels): string {
  const proposers = offered.defaults.proposers.map((entry) => (entry.samples ? `${entry.model} ×${entry.samples}` : entry.model)).join(", ");
  return `the server's defaults (${offered.defaults.source}): ${proposers}, aggregated by ${offered.defaults.aggregator.map((entry) => entry.model).join(" or ")}`;
}

/** The settings form; `choice` undefined means the server's defaults. */
export function SettingsPanel({ offered, error, retry, choice, onChoice }: { offered?: OfferedModels; error?: string; retry: () => void; choice?: RunChoice; onChoice: (choice: RunChoice | undefined) => void }) {
  if (error !== undefined) {
    return (
      <div className="settings" role="alert">
        <p>Cannot load the models the server offers: {error}</p>
        <button type="button" onClick={retry}>
          Retry
        </button>
      </div>
    );
  }
  if (offered === undefined) return <p className="settings status">Loading the models the server offers…</p>;
  const shown = choice ?? defaultsOf(offered);
  const toggle = (model: string, on: boolean) => onChoice({ ...shown, proposers: on ? [...shown.proposers, model] : shown.proposers.filter((name) => name !== model) });
  return (
    <details className="settings">
      <summary>Settings: {choice ? `${choice.proposers.length} proposer${choice.proposers.length === 1 ? "" : "s"}, ${Number.isFinite(choice.layers) ? choice.layers : "?"} layer${choice.layers === 1 ? "" : "s"}, aggregated by ${choice.aggregator}` : describeDefaults(offered)}</summary>
      <form onSubmit={(event) => event.preventDefault()}>
        <fieldset>
          <legend>Proposers</legend>
          {offered.models.map((model) => (
            <label key={model} className="choice">
              <input type="checkbox" checked={shown.proposers.includes(model)} onChange={(event) => toggle(model, event.target.checked)} /> {model}
            </label>
          ))}
        </fieldset>
        <label className="field">
          Aggregator
          <select value={shown.aggregator} onChange={(event) => onChoice({ ...shown, aggregator: event.target.value })}>
            {offered.models.map((model) => (
              <option key={model} value={model}>
                {model}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Layers
          <input type="number" min={1} step={1} value={Number.isFinite(shown.layers) ? shown.layers : ""} onChange={(event) => onChoice({ ...shown, layers: event.target.valueAsNumber })} />
        </label>
        <button type="button" onClick={() => onChoice(undefined)} disabled={choice === undefined}>
          Use the server's defaults
        </button>
      </form>
    </details>
  );
}
