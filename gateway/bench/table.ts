import type { BenchRow } from './row.ts';

/** The table's columns, in the order `npm run bench` prints them and docs/benchmarks.md keeps them. */
export const COLUMNS = ['group', 'measurement', 'value', 'unit', 'ratio to baseline', 'goal', 'met'] as const;

/** Counts as they are; otherwise three significant figures, whole numbers from 100 up: enough for noisy timings. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 100 || Number.isInteger(value)) return Math.round(value).toString();
  return value.toPrecision(3);
}

function cells(row: BenchRow): string[] {
  const ratio = row.ratio === undefined ? '' : `${formatNumber(row.ratio)} × ${row.baseline ?? 'baseline'}`;
  const met = row.met === undefined ? '' : row.met ? 'yes' : 'NO';
  return [row.group, row.what, formatNumber(row.value), row.unit, ratio, row.goal ?? '', met];
}

/** The table for a terminal: columns padded, numbers right-aligned. */
export function textTable(rows: readonly BenchRow[]): string {
  const lines = [[...COLUMNS], ...rows.map(cells)];
  const widths = COLUMNS.map((_, column) => Math.max(...lines.map((line) => [...line[column]!].length)));
  const pad = (text: string, column: number) => (column === 2 ? text.padStart(widths[column]!) : text.padEnd(widths[column]!));
  const render = (line: string[]) => line.map(pad).join('  ').trimEnd();
  return [render(lines[0]!), render(widths.map((width) => '-'.repeat(width))), ...lines.slice(1).map(render)].join('\n');
}

/** The same table in Markdown, for docs/benchmarks.md. */
export function markdownTable(rows: readonly BenchRow[]): string {
  const escape = (text: string) => text.replaceAll('|', '\\|');
  return [
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map((_, column) => (column === 2 ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
  ].join('\n');
}
