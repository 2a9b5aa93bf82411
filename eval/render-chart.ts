/** The report's chart: each system's mean rating overall and per category, with 95 % intervals. */
import { barChart } from "../tools/svg-bar-chart.js";
import type { Interval } from "./bootstrap.js";
import type { EvalReport } from "./report-types.js";

/** The chart as standalone SVG text. */
export function renderChart(report: EvalReport): string {
  const group = (label: string, pick: (system: EvalReport["systems"][number]) => Interval | undefined) => {
    const intervals = report.systems.map(pick);
    return {
      label,
      values: intervals.map((interval) => interval?.mean ?? Number.NaN),
      intervals: intervals.map((interval): [number, number] => [interval?.low ?? Number.NaN, interval?.high ?? Number.NaN]),
    };
  };
  return barChart({
    title: `Mean rating (1-10) by ${report.judge.label} on ${report.questionSet}, with 95 % intervals`,
    yLabel: "mean rating",
    series: report.systems.map((system) => system.label),
    groups: [group("overall", (system) => system.score), ...report.categories.map((category) => group(category, (system) => system.categories[category]))],
    yMax: 10,
  });
}
