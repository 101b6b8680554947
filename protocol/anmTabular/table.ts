import type { ProblemLocation } from '../../schemas/problems.ts';
import { Problem } from '../problem.ts';
import type { DelimitedRow } from './delimited.ts';

export interface ColumnSpec<F extends string> {
  field: F;
  /** Header spellings, compared without case, spaces or punctuation (`MIC kW` = `mic_kw`). */
  aliases: readonly string[];
  required: boolean;
}

export interface TableCell {
  text: string;
  location: ProblemLocation;
}

export interface TableRow<F extends string> {
  line: number;
  /** The trimmed cell under a column, or undefined when the column is absent or the cell empty. */
  cell(field: F): TableCell | undefined;
  has(field: F): boolean;
}

/** ANM exports put a period (or issue time) on a line of its own above the rows it applies to. */
export type TableLine<F extends string> = { kind: 'period'; line: number; cells: TableCell[] } | { kind: 'data'; row: TableRow<F> };

export const normaliseHeader = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

const isBlank = (row: DelimitedRow) => row.cells.every((c) => c.trim() === '');
const filled = (row: DelimitedRow) => row.cells.filter((c) => c.trim() !== '').length;

/**
 * Finds the header row, maps its columns to fields and classifies every
 * following line as a period line (values only in the first two cells) or a
 * data row. Title lines above the header (one cell) are allowed, as in the
 * ANM exports; anything else there is refused.
 */
export function readTable<F extends string>(rows: readonly DelimitedRow[], columns: readonly ColumnSpec<F>[]): TableLine<F>[] {
  const byAlias = new Map<string, ColumnSpec<F>>();
  for (const spec of columns) for (const alias of spec.aliases) byAlias.set(normaliseHeader(alias), spec);
  const known = columns.map((c) => c.aliases[0]).join(', ');

  let headerIndex = -1;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    if (isBlank(row)) continue;
    const recognised = row.cells.filter((c) => byAlias.has(normaliseHeader(c))).length;
    if (recognised >= 2) {
      headerIndex = i;
      break;
    }
    if (filled(row) > 1) {
      throw new Problem('tabular.header-missing', `Line ${row.line} has data before any header row; expected columns: ${known}`, {
        row: row.line,
      });
    }
  }
  if (headerIndex < 0) throw new Problem('tabular.header-missing', `No header row found; expected columns: ${known}`);

  const header = rows[headerIndex]!;
  const columnIndex = new Map<F, number>();
  header.cells.forEach((raw, index) => {
    const name = raw.trim();
    if (name === '') return;
    const location = { row: header.line, column: index + 1, columnName: name };
    const spec = byAlias.get(normaliseHeader(name));
    if (!spec) throw new Problem('tabular.unknown-column', `Column "${name}" is not understood; expected columns: ${known}`, location);
    if (columnIndex.has(spec.field)) throw new Problem('tabular.duplicate-column', `Column "${name}" is given twice`, location);
    columnIndex.set(spec.field, index);
  });
  for (const spec of columns) {
    if (spec.required && !columnIndex.has(spec.field)) {
      throw new Problem('tabular.missing-column', `Required column "${spec.aliases[0]}" is missing`, { row: header.line });
    }
  }
  const headerName = (index: number) => header.cells[index]!.trim();

  const lines: TableLine<F>[] = [];
  for (const row of rows.slice(headerIndex + 1)) {
    if (isBlank(row)) continue;
    const lastFilled = row.cells.findLastIndex((c) => c.trim() !== '');
    if (lastFilled >= header.cells.length || (lastFilled >= 0 && headerName(lastFilled) === '')) {
      throw new Problem('tabular.ragged-row', `Line ${row.line} has a value in column ${lastFilled + 1}, which has no header`, {
        row: row.line,
        column: lastFilled + 1,
      });
    }
    if (lastFilled < 2) {
      lines.push({
        kind: 'period',
        line: row.line,
        cells: row.cells.slice(0, lastFilled + 1).map((text, index) => ({ text: text.trim(), location: { row: row.line, column: index + 1 } })),
      });
      continue;
    }
    const cell = (field: F): TableCell | undefined => {
      const index = columnIndex.get(field);
      if (index === undefined) return undefined;
      const text = (row.cells[index] ?? '').trim();
      if (text === '') return undefined;
      return { text, location: { row: row.line, column: index + 1, columnName: headerName(index) } };
    };
    lines.push({ kind: 'data', row: { line: row.line, cell, has: (field) => columnIndex.has(field) } });
  }
  return lines;
}

/** The cell under a required column; an empty one is refused with its location. */
export function requiredCell<F extends string>(row: TableRow<F>, field: F, columnLabel: string): TableCell {
  const cell = row.cell(field);
  if (!cell) throw new Problem('tabular.invalid-value', `Line ${row.line}: "${columnLabel}" is empty`, { row: row.line, columnName: columnLabel });
  return cell;
}
