/**
 * A line plot as a standalone SVG document, written by hand so the docs'
 * scaling plots need no dependency: axes with round ticks, a logarithmic x
 * axis when the points span decades, one coloured line per series, a legend.
 */

export interface PlotSeries {
  name: string;
  points: ReadonlyArray<readonly [x: number, y: number]>;
}

export interface LinePlot {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly PlotSeries[];
}

const WIDTH = 640;
const PLOT_HEIGHT = 300;
const LEGEND_LINE = 16;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Round tick values (1, 2 or 5 × 10^n apart) covering 0..max. */
function linearTicks(max: number): number[] {
  const top = max > 0 ? max : 1;
  const rough = top / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((f) => f * power).find((candidate) => candidate >= rough)!;
  const ticks: number[] = [];
  for (let tick = 0; tick < top + step; tick += step) ticks.push(Number(tick.toPrecision(12)));
  return ticks;
}

const tickLabel = (value: number) => Number(value.toPrecision(6)).toString();
/** Sizes read better as 10k than 10000. */
const sizeLabel = (value: number) => (value >= 1000 && Number.isInteger(value / 1000) ? `${value / 1000}k` : tickLabel(value));

export function linePlot(plot: LinePlot): string {
  const xs = plot.series.flatMap((series) => series.points.map(([x]) => x));
  const ys = plot.series.flatMap((series) => series.points.map(([, y]) => y));
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const logX = xMin > 0 && xMax / xMin >= 20;
  const yTicks = linearTicks(Math.max(...ys, 0));
  const yTop = yTicks[yTicks.length - 1]!;
  const xTicks = logX
    ? Array.from({ length: Math.floor(Math.log10(xMax)) - Math.ceil(Math.log10(xMin)) + 1 }, (_, k) => 10 ** (Math.ceil(Math.log10(xMin)) + k))
    : linearTicks(xMax);
  const xLow = logX ? Math.log10(xMin) : 0;
  const xHigh = logX ? Math.log10(xMax) : xTicks[xTicks.length - 1]!;
  // The legend sits under the x axis, one line per series.
  const margin = { left: 72, right: 24, top: 40, bottom: 56 + LEGEND_LINE * plot.series.length };
  const height = margin.top + PLOT_HEIGHT + margin.bottom;
  const innerWidth = WIDTH - margin.left - margin.right;
  const innerHeight = PLOT_HEIGHT;
  const px = (x: number) => margin.left + (((logX ? Math.log10(x) : x) - xLow) / (xHigh - xLow || 1)) * innerWidth;
  const py = (y: number) => margin.top + innerHeight - (y / yTop) * innerHeight;
  const f = (n: number) => n.toFixed(1);
  const bottom = margin.top + innerHeight;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(plot.title)}</title>`,
    `<rect width="${WIDTH}" height="${height}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(plot.title)}</text>`,
  ];
  for (const tick of yTicks) {
    parts.push(
      `<line x1="${margin.left}" y1="${f(py(tick))}" x2="${WIDTH - margin.right}" y2="${f(py(tick))}" stroke="#e0e0e0"/>`,
      `<text x="${margin.left - 6}" y="${f(py(tick) + 4)}" text-anchor="end">${tickLabel(tick)}</text>`,
    );
  }
  for (const tick of xTicks) {
    parts.push(
      `<line x1="${f(px(tick))}" y1="${bottom}" x2="${f(px(tick))}" y2="${bottom + 5}" stroke="black"/>`,
      `<text x="${f(px(tick))}" y="${bottom + 18}" text-anchor="middle">${sizeLabel(tick)}</text>`,
    );
  }
  parts.push(
    `<line x1="${margin.left}" y1="${bottom}" x2="${WIDTH - margin.right}" y2="${bottom}" stroke="black"/>`,
    `<line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${bottom}" stroke="black"/>`,
    `<text class="x-label" x="${margin.left + innerWidth / 2}" y="${bottom + 38}" text-anchor="middle">${escapeXml(plot.xLabel + (logX ? ' (log scale)' : ''))}</text>`,
    `<text class="y-label" transform="translate(18 ${margin.top + innerHeight / 2}) rotate(-90)" text-anchor="middle">${escapeXml(plot.yLabel)}</text>`,
  );
  plot.series.forEach((series, index) => {
    const colour = COLOURS[index % COLOURS.length]!;
    const points = [...series.points].sort(([a], [b]) => a - b);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map(([x, y]) => `${f(px(x))},${f(py(y))}`).join(' ')}"/>`);
    for (const [x, y] of points) parts.push(`<circle cx="${f(px(x))}" cy="${f(py(y))}" r="3.5" fill="${colour}"/>`);
    const legendY = bottom + 58 + index * LEGEND_LINE;
    parts.push(
      `<line x1="${margin.left}" y1="${legendY - 4}" x2="${margin.left + 24}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${margin.left + 30}" y="${legendY}">${escapeXml(series.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
