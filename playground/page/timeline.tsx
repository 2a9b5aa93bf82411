/**
 * Where a turn's time and tokens went: a bar per call from its start to its end, grouped by layer, then
 * the aggregator's; and a table of calls, tokens and cost per model.
 */
import type { CallRecord, MoATrace } from "../../src/index.js";
import { duration, money } from "./format.js";

interface Bar {
  readonly record: CallRecord;
  readonly group: string;
}

function barsOf(trace: MoATrace): Bar[] {
  return [
    ...trace.layers.flatMap((layer) => layer.calls.map((record) => ({ record, group: `Layer ${layer.layer}` }))),
    ...trace.aggregator.map((record) => ({ record, group: "Aggregator" })),
  ].filter((bar) => typeof bar.record.startedAt === "number");
}

/** The timeline figure of `trace`; nothing when its calls carry no start times. */
export function Timeline({ trace, turn }: { trace: MoATrace; turn: number }) {
  const bars = barsOf(trace);
  if (bars.length === 0) return null;
  const start = Math.min(...bars.map((bar) => bar.record.startedAt!));
  const end = Math.max(...bars.map((bar) => bar.record.startedAt! + bar.record.latencyMs));
  const span = Math.max(end - start, 1);
  return (
    <figure className="timeline" aria-labelledby={`timeline-${turn}`}>
      <figcaption id={`timeline-${turn}`}>Timeline of turn {turn + 1}: {duration(span)} from the first call to the answer</figcaption>
      <ol>
        {bars.map(({ record, group }) => {
          const from = record.startedAt! - start;
          const label = `${group}, ${record.model}: ${duration(from)} to ${duration(from + record.latencyMs)}, ${record.status}`;
          return (
            <li key={`${group}:${record.id}:${record.window ?? 0}`} aria-label={label} className="timeline-row">
              <span className="timeline-label" aria-hidden="true">
                {group === "Aggregator" ? "agg" : `L${group.slice(6)}`} {record.model}
              </span>
              <span className="timeline-track" aria-hidden="true">
                <span className={`timeline-bar status-${record.status}`} style={{ left: `${(from / span) * 100}%`, width: `${Math.max((record.latencyMs / span) * 100, 0.5)}%` }} title={label} />
              </span>
            </li>
          );
        })}
      </ol>
    </figure>
  );
}

interface ModelRow {
  model: string;
  calls: number;
  input: number;
  output: number;
  /** Whether any of the model's calls reported usage (else its tokens are unknown, not zero). */
  reported: boolean;
  cost?: number;
}

function rowsOf(trace: MoATrace): ModelRow[] {
  const rows = new Map<string, ModelRow>();
  for (const record of [...trace.layers.flatMap((layer) => layer.calls), ...trace.aggregator]) {
    if (record.skipped) continue;
    const row = rows.get(record.model) ?? { model: record.model, calls: 0, input: 0, output: 0, reported: false };
    row.calls += 1;
    row.reported ||= record.usage !== undefined;
    row.input += record.usage?.input_tokens ?? 0;
    row.output += record.usage?.output_tokens ?? 0;
    if (record.cost !== undefined) row.cost = (row.cost ?? 0) + record.cost;
    rows.set(record.model, row);
  }
  return [...rows.values()];
}

/** The tokens (and cost, when priced) per model of `trace`, as a table. */
export function TokensPerModel({ trace, turn }: { trace: MoATrace; turn: number }) {
  const rows = rowsOf(trace);
  const priced = rows.some((row) => row.cost !== undefined);
  const total = trace.cost;
  return (
    <table className="tokens">
      <caption>Tokens per model, turn {turn + 1}{priced && total !== undefined ? `: cost ${trace.costMissing?.length ? "≥ " : ""}${money(total)}` : ""}</caption>
      <thead>
        <tr>
          <th scope="col">Model</th>
          <th scope="col">Calls</th>
          <th scope="col">Input</th>
          <th scope="col">Output</th>
          {priced ? <th scope="col">Cost</th> : null}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.model}>
            <th scope="row">{row.model}</th>
            <td>{row.calls}</td>
            <td>{row.reported ? row.input : "–"}</td>
            <td>{row.reported ? row.output : "–"}</td>
            {priced ? <td>{row.cost === undefined ? "unknown" : money(row.cost)}</td> : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
