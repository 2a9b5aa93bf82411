/** One line of a chart: its name (in the legend) and its points, x ascending. */
export interface LineSeries {
  name: string;
  points: Array<[x: number, y: number]>;
}

/** Options of {@link lineChart}. */
export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: LineSeries[];
  /** The top of the y axis (default: the first round tick at or above the highest point). */
  yMax?: number;
}

const COLORS = ["#4c6ef5", "#f59f00", "#37b24d", "#e64980", "#7950f2", "#15aabf", "#868e96", "#fd7e14"];

/** A line chart (one polyline per series, over shared x and y axes from 0) as standalone SVG text. */
export function lineChart(options: LineChartOptions): string {
  const { title, xLabel, yLabel, series } = options;
  const width = 760;
  const height = 380;
  const left = 60;
  const bottom = 74;
  const top = 40;
  const plotWidth = width - left - 20;
  const plotHeight = height - top - bottom;
  const points = series.flatMap((line) => line.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const xMax = Math.max(1, ...points.map(([x]) => x));
  const highest = Math.max(0, ...points.map(([, y]) => y));
  const yStep = options.yMax === undefined ? roundStep(highest / 4) : options.yMax / 4;
  const yMax = options.yMax ?? Math.max(1, Math.ceil(highest / yStep - 1e-9)) * yStep;
  const yTicks = ticks(yMax, yStep);
  const x = (value: number) => Number((left + (value / xMax) * plotWidth).toFixed(1));
  const y = (value: number) => Number((top + plotHeight - (Math.min(value, yMax) / yMax) * plotHeight).toFixed(1));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    `<text x="16" y="${top + plotHeight / 2}" transform="rotate(-90 16 ${top + plotHeight / 2})" text-anchor="middle">${escape(yLabel)}</text>`,
    `<text x="${left + plotWidth / 2}" y="${top + plotHeight + 34}" text-anchor="middle">${escape(xLabel)}</text>`,
    `<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`,
  ];
  for (const value of yTicks) {
    parts.push(`<text x="${left - 6}" y="${y(value) + 4}" text-anchor="end">${formatTick(value)}</text>`);
    parts.push(`<line x1="${left}" y1="${y(value)}" x2="${left + plotWidth}" y2="${y(value)}" stroke="#eee"/>`);
  }
  for (const value of ticks(xMax, roundStep(xMax / 5))) {
    parts.push(`<line x1="${x(value)}" y1="${top + plotHeight}" x2="${x(value)}" y2="${top + plotHeight + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x(value)}" y="${top + plotHeight + 17}" text-anchor="middle">${value}</text>`);
  }
  series.forEach((line, s) => {
    const path = line.points.filter(([px, py]) => Number.isFinite(px) && Number.isFinite(py)).map(([px, py]) => `${x(px)},${y(py)}`);
    parts.push(`<polyline points="${path.join(" ")}" fill="none" stroke="${COLORS[s % COLORS.length]}" stroke-width="1.5"><title>${escape(line.name)}</title></polyline>`);
  });
  const legendStep = plotWidth / Math.max(1, series.length);
  series.forEach((line, s) => {
    const lx = left + s * legendStep;
    parts.push(`<rect x="${lx}" y="${height - 22}" width="12" height="12" fill="${COLORS[s % COLORS.length]}"/>`);
    parts.push(`<text x="${lx + 18}" y="${height - 12}">${escape(line.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** The smallest of 1, 2 or 5 times a power of ten that is at least `raw` (1 when `raw` is not positive). */
function roundStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= raw) ?? raw;
}

/** Ticks `step` apart from 0 to `max` (the last one at or below it). */
function ticks(max: number, step: number): number[] {
  return Array.from({ length: Math.floor(max / step + 1e-9) + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

function formatTick(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
