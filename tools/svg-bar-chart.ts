/** One group of bars (e.g. one shape) with a value per series. */
export interface BarGroup {
  label: string;
  values: number[];
  /** An interval per value, drawn as a whisker (e.g. a 95 % confidence interval); NaN values draw nothing. */
  intervals?: Array<[low: number, high: number]>;
}

/** A grouped bar chart as standalone SVG text, with an optional dashed reference line. */
export function barChart(options: { title: string; yLabel: string; series: string[]; groups: BarGroup[]; referenceLine?: { value: number; label: string }; yMax?: number }): string {
  const { title, yLabel, series, groups, referenceLine, yMax } = options;
  const width = 760;
  const height = 360;
  const left = 60;
  const bottom = 60;
  const top = 40;
  const plotWidth = width - left - 20;
  const plotHeight = height - top - bottom;
  const max = yMax ?? (Math.max(...groups.flatMap((g) => [...g.values, ...(g.intervals ?? []).map(([, high]) => high)]).filter(Number.isFinite), referenceLine?.value ?? 0) * 1.1 || 1);
  const y = (value: number) => top + plotHeight - (value / max) * plotHeight;
  const colors = ["#4c6ef5", "#f59f00", "#37b24d", "#e64980", "#7950f2", "#15aabf", "#868e96", "#fd7e14"];
  const groupWidth = plotWidth / groups.length;
  const barWidth = Math.min(40, (groupWidth * 0.8) / series.length);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
    `<text x="16" y="${top + plotHeight / 2}" transform="rotate(-90 16 ${top + plotHeight / 2})" text-anchor="middle">${escape(yLabel)}</text>`,
    `<line x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`,
  ];
  for (let tick = 0; tick <= 4; tick++) {
    const value = (max / 4) * tick;
    parts.push(`<text x="${left - 6}" y="${y(value) + 4}" text-anchor="end">${formatTick(value)}</text>`);
    parts.push(`<line x1="${left}" y1="${y(value)}" x2="${left + plotWidth}" y2="${y(value)}" stroke="#eee"/>`);
  }
  groups.forEach((group, g) => {
    const x0 = left + g * groupWidth + (groupWidth - barWidth * series.length) / 2;
    group.values.forEach((value, s) => {
      if (!Number.isFinite(value)) return;
      parts.push(`<rect x="${x0 + s * barWidth}" y="${y(value)}" width="${barWidth - 2}" height="${top + plotHeight - y(value)}" fill="${colors[s % colors.length]}"><title>${escape(`${group.label} ${series[s]}: ${value}`)}</title></rect>`);
      const interval = group.intervals?.[s];
      if (interval && interval.every(Number.isFinite)) {
        const cx = x0 + s * barWidth + (barWidth - 2) / 2;
        const [low, high] = interval;
        parts.push(`<path d="M${cx} ${y(low)}V${y(high)}M${cx - 4} ${y(low)}H${cx + 4}M${cx - 4} ${y(high)}H${cx + 4}" stroke="#212529" stroke-width="1.5"/>`);
      }
    });
    parts.push(`<text x="${left + g * groupWidth + groupWidth / 2}" y="${top + plotHeight + 16}" text-anchor="middle">${escape(group.label)}</text>`);
  });
  if (referenceLine) {
    parts.push(`<line x1="${left}" y1="${y(referenceLine.value)}" x2="${left + plotWidth}" y2="${y(referenceLine.value)}" stroke="#c92a2a" stroke-dasharray="6 4"/>`);
    parts.push(`<text x="${left + plotWidth - 4}" y="${y(referenceLine.value) - 5}" text-anchor="end" fill="#c92a2a">${escape(referenceLine.label)}</text>`);
  }
  const legendStep = Math.min(200, plotWidth / Math.max(1, series.length));
  series.forEach((name, s) => {
    const x = left + s * legendStep;
    parts.push(`<rect x="${x}" y="${height - 22}" width="12" height="12" fill="${colors[s % colors.length]}"/>`);
    parts.push(`<text x="${x + 18}" y="${height - 12}">${escape(name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function formatTick(value: number): string {
  return value >= 10 ? value.toFixed(0) : value.toFixed(2);
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
