import { Problem } from '../problem.ts';

export type Delimiter = '\t' | ',';

/** What one table may hold: rows (blank ones included) and characters per cell. */
export interface TableLimits {
  maxRows: number;
  maxCellLength: number;
}

export interface DelimitedRow {
  /** 1-based line of the file on which the row starts. */
  line: number;
  cells: string[];
}

const UNBOUNDED: TableLimits = { maxRows: Infinity, maxCellLength: Infinity };

/**
 * Splits CSV or TSV text into rows of cells. Quoting follows RFC 4180 for both
 * (spreadsheet exports quote TSV cells too); any line ending is accepted.
 * Stops at the first row or cell beyond the limits.
 */
export function parseDelimited(text: string, delimiter: Delimiter, limits: TableLimits = UNBOUNDED): DelimitedRow[] {
  const rows: DelimitedRow[] = [];
  let cells: string[] = [];
  let cell = '';
  let line = 1;
  let rowLine = 1;
  let i = 0;
  const n = text.length;

  const endCell = () => {
    if (cell.length > limits.maxCellLength) {
      throw new Problem(
        'tabular.cell-too-long',
        `Line ${rowLine}, column ${cells.length + 1}: a cell has ${cell.length} characters; at most ${limits.maxCellLength} are accepted`,
        {
          row: rowLine,
          column: cells.length + 1,
        },
      );
    }
    cells.push(cell);
  };
  const endRow = () => {
    endCell();
    if (rows.length >= limits.maxRows) {
      throw new Problem('tabular.too-many-rows', `The table has more than ${limits.maxRows} rows`, { row: rowLine });
    }
    rows.push({ line: rowLine, cells });
    cells = [];
    cell = '';
  };

  while (i < n) {
    const ch = text[i]!;
    if (ch === '"' && cell === '') {
      const quoteLine = line;
      i++;
      for (;;) {
        if (i >= n) {
          throw new Problem('tabular.malformed', `Quoted cell opened on line ${quoteLine} is never closed`, {
            row: quoteLine,
            column: cells.length + 1,
          });
        }
        const q = text[i]!;
        if (q === '"') {
          if (text[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (q === '\n') line++;
        cell += q;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== delimiter && next !== '\n' && next !== '\r') {
        throw new Problem('tabular.malformed', `Text after the closing quote on line ${line}`, {
          row: line,
          column: cells.length + 1,
        });
      }
      continue;
    }
    if (ch === delimiter) {
      endCell();
      cell = '';
      i++;
    } else if (ch === '\r' || ch === '\n') {
      endRow();
      i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      rowLine = line;
    } else {
      cell += ch;
      i++;
    }
  }
  if (cell !== '' || cells.length > 0) endRow();
  return rows;
}

/** Renders rows as TSV. Cells must not contain tabs or line breaks (identifiers are checked for that). */
export function renderTsv(rows: readonly (readonly string[])[]): string {
  return rows.map((cells) => cells.join('\t')).join('\n') + '\n';
}
