/** Writes a report's three files: report.md, report.json and the chart scores.svg. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderChart } from "./render-chart.js";
import { renderMarkdown } from "./render-markdown.js";
import type { EvalReport } from "./report-types.js";

/** The files written. */
export interface ReportFiles {
  readonly markdown: string;
  readonly json: string;
  readonly chart: string;
}

/** Writes `report` into `dir` (created if needed). */
export function writeReport(dir: string, report: EvalReport): ReportFiles {
  mkdirSync(dir, { recursive: true });
  const files = { markdown: join(dir, "report.md"), json: join(dir, "report.json"), chart: join(dir, "scores.svg") };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.chart, renderChart(report));
  writeFileSync(files.markdown, renderMarkdown(report, "scores.svg"));
  return files;
}
