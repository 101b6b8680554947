import type { BenchRow } from './row.ts';
import type { PlotSeries } from './svgPlot.ts';

/**
 * Scaling series read back from a group's rows: rows whose measurement names
 * a size ("10k entries", "100000-entry", "1,000 subscribers") and whose unit
 * is accepted form one series per measurement with the size taken out, so
 * "time per entry, 10k entries" and "…, 100k entries" become one line.
 */
export interface SizeAxis {
  /** What is counted, as a regular expression source: `entr(?:y|ies)`. */
  noun: string;
  /** How the series' names say it: `entries`. */
  label: string;
}

export function scalingSeries(rows: readonly BenchRow[], group: string, axis: SizeAxis, acceptUnit: (unit: string) => boolean): PlotSeries[] {
  const size = new RegExp(`(\\d[\\d,_]*(?:\\.\\d+)?)\\s*([kM])?[\\s-]+(?:${axis.noun})`, 'i');
  const series = new Map<string, Array<[number, number]>>();
  for (const row of rows) {
    if (row.group !== group || !acceptUnit(row.unit) || !Number.isFinite(row.value)) continue;
    const match = size.exec(row.what);
    if (!match) continue;
    const count = Number(match[1]!.replace(/[,_]/g, '')) * (match[2] === 'k' ? 1e3 : match[2] === 'M' ? 1e6 : 1);
    const name = `${row.what.replace(match[0], `N ${axis.label}`).trim()} (${row.unit})`;
    series.set(name, [...(series.get(name) ?? []), [count, row.value]]);
  }
  return [...series].filter(([, points]) => points.length >= 2).map(([name, points]) => ({ name, points }));
}
