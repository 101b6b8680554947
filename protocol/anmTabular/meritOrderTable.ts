import type { ProblemLocation } from '../../schemas/problems.ts';
import type { MeritOrderList, MeritOrderListInput } from '../../schemas/anm/meritOrderList.ts';
import { ProblemCollector } from '../problem.ts';
import { parseInstant, toUnixSeconds } from '../time/ukTime.ts';
import { booleanCell, integerCell, kilowattExponent, wholeKilowatts } from './cells.ts';
import { parseDelimited, renderTsv, type Delimiter, type TableLimits } from './delimited.ts';
import { attempt, locatorFrom, type TabularReading } from './reading.ts';
import { readTable, requiredCell, type ColumnSpec, type TableCell, type TableRow } from './table.ts';

type Field =
  | 'receivedTime'
  | 'receivedTimestamp'
  | 'scenario'
  | 'order'
  | 'contractId'
  | 'resourceId'
  | 'resourceName'
  | 'operationType'
  | 'value'
  | 'valueUnits'
  | 'mic'
  | 'mec'
  | 'activity'
  | 'traded'
  | 'registered'
  | 'curtailmentIndex';

/** The ANM's merit order export (figures 6 and 7); the first alias is the heading flexgate writes. */
const COLUMNS: readonly ColumnSpec<Field>[] = [
  { field: 'receivedTime', aliases: ['Recvd Time', 'Received Time'], required: false },
  { field: 'receivedTimestamp', aliases: ['Recvd Timestamp', 'Received Timestamp'], required: false },
  { field: 'scenario', aliases: ['Scenario'], required: false },
  { field: 'order', aliases: ['Order', 'Merit Order', 'Position'], required: true },
  { field: 'contractId', aliases: ['Contract Id'], required: true },
  { field: 'resourceId', aliases: ['Resource Id'], required: true },
  { field: 'resourceName', aliases: ['Resource Name'], required: false },
  { field: 'operationType', aliases: ['Operation Type', 'Contract Operation Type'], required: true },
  { field: 'value', aliases: ['Value'], required: true },
  { field: 'valueUnits', aliases: ['Value Units', 'Units'], required: true },
  { field: 'mic', aliases: ['MIC kW', 'MIC (kW)'], required: true },
  { field: 'mec', aliases: ['MEC_kW', 'MEC kW', 'MEC (kW)'], required: true },
  { field: 'activity', aliases: ['Activity'], required: true },
  { field: 'traded', aliases: ['Traded'], required: true },
  { field: 'registered', aliases: ['Registered'], required: true },
  { field: 'curtailmentIndex', aliases: ['Curtailment Index'], required: false },
];
const HEADINGS = new Map(COLUMNS.map((column) => [column.field, column.aliases[0]!]));
const heading = (field: Field) => HEADINGS.get(field)!;

type EntryInput = MeritOrderListInput['entries'][number];

/** Reads a merit order list exported by an ANM as TSV or CSV. */
export function readMeritOrderTable(text: string, delimiter: Delimiter, limits?: TableLimits): TabularReading<MeritOrderListInput> {
  const lines = readTable(parseDelimited(text, delimiter, limits), COLUMNS);
  const problems = new ProblemCollector();
  const locations = new Map<string, ProblemLocation>();
  // Each entry's row: its cells are located when a problem names one, not recorded up front (100,000 entries have 1.2 million cells).
  const entryRows: TableRow<Field>[] = [];
  const entries: EntryInput[] = [];
  let periodCell: TableCell | undefined;
  let traded: { received?: { epoch: number; cell: TableCell }; scenario?: { value: number; cell: TableCell } } | undefined;

  for (const line of lines) {
    if (line.kind === 'period') {
      const [first, second] = line.cells;
      if (periodCell || entries.length > 0 || second) {
        problems.add('tabular.invalid-value', `Line ${line.line}: a merit order list has one time line, above its rows`, {
          row: line.line,
        });
      } else {
        periodCell = first;
      }
      continue;
    }
    const { row } = line;
    entryRows.push(row);
    const text = (field: Field): string | undefined => row.cell(field)?.text;
    const convert = <T>(field: Field, fn: (cell: TableCell) => T): T | undefined => {
      const cell = attempt(problems, () => requiredCell(row, field, heading(field)));
      return cell && attempt(problems, () => fn(cell));
    };

    const unit = attempt(problems, () => kilowattExponent(requiredCell(row, 'valueUnits', heading('valueUnits'))));
    const entry = {
      order: convert('order', integerCell),
      contractId: text('contractId'),
      resourceId: text('resourceId'),
      resourceName: text('resourceName'),
      operationType: text('operationType'),
      value_kW: unit === undefined ? undefined : convert('value', (cell) => wholeKilowatts(cell, unit)),
      mic_kW: convert('mic', (cell) => wholeKilowatts(cell, 0)),
      mec_kW: convert('mec', (cell) => wholeKilowatts(cell, 0)),
      activity: text('activity'),
      traded: convert('traded', booleanCell),
      registered: convert('registered', booleanCell),
      curtailmentIndex: row.cell('curtailmentIndex') ? convert('curtailmentIndex', integerCell) : undefined,
    };
    entries.push(withoutUndefined(entry) as EntryInput);

    traded = readTradedColumns(row.cell('receivedTime'), row.cell('receivedTimestamp'), row.cell('scenario'), traded, problems);
  }
  problems.throwIfAny();

  const isTradedLayout = lines.some((l) => l.kind === 'data' && (l.row.has('receivedTime') || l.row.has('receivedTimestamp')));
  const input: MeritOrderListInput = { entries };
  if (periodCell) {
    input[isTradedLayout ? 'periodStart' : 'issuedAt'] = periodCell.text;
    locations.set(isTradedLayout ? '/periodStart' : '/issuedAt', periodCell.location);
  }
  if (traded?.received) {
    input.receivedAt = traded.received.cell.text;
    locations.set('/receivedAt', traded.received.cell.location);
  }
  if (traded?.scenario) {
    input.scenario = traded.scenario.value;
    locations.set('/scenario', traded.scenario.cell.location);
  }
  const around = locatorFrom(locations);
  return {
    input,
    locate: (pointer) => {
      const [, top, index, key] = pointer.split('/');
      const row = top === 'entries' ? entryRows[Number(index)] : undefined;
      if (!row) return around(pointer);
      const field = key === undefined ? undefined : (FIELD_OF_KEY.get(key) ?? (HEADINGS.has(key as Field) ? (key as Field) : undefined));
      return (field && row.cell(field)?.location) ?? { row: row.line };
    },
  };
}

/** Entry members whose name is not their column's field. */
const FIELD_OF_KEY = new Map<string, Field>([
  ['value_kW', 'value'],
  ['mic_kW', 'mic'],
  ['mec_kW', 'mec'],
]);

function withoutUndefined<T extends object>(record: T): Partial<T> {
  const defined: Partial<T> = {};
  for (const key in record) if (record[key] !== undefined) defined[key] = record[key];
  return defined;
}

/**
 * A re-ordered list repeats its received time (twice: local and Unix) and
 * scenario on every row; they must agree within a row and across rows.
 */
function readTradedColumns(
  timeCell: TableCell | undefined,
  stampCell: TableCell | undefined,
  scenarioCell: TableCell | undefined,
  seen: { received?: { epoch: number; cell: TableCell }; scenario?: { value: number; cell: TableCell } } | undefined,
  problems: ProblemCollector,
) {
  const state = { ...seen };
  const time = timeCell && attempt(problems, () => parseInstant(timeCell.text, timeCell.location));
  const stamp = stampCell && attempt(problems, () => parseInstant(stampCell.text, stampCell.location));
  if (time !== undefined && stamp !== undefined && time !== stamp) {
    problems.add('time.mismatch', `"${timeCell!.text}" and "${stampCell!.text}" are not the same instant`, stampCell!.location);
  }
  const epoch = time ?? stamp;
  const cell = timeCell ?? stampCell;
  if (epoch !== undefined && cell) {
    if (!state.received) state.received = { epoch, cell };
    else if (state.received.epoch !== epoch) {
      problems.add('tabular.inconsistent-rows', `Received time differs from line ${state.received.cell.location.row}`, cell.location);
    }
  }
  if (scenarioCell) {
    const value = attempt(problems, () => integerCell(scenarioCell));
    if (value !== undefined) {
      if (!state.scenario) state.scenario = { value, cell: scenarioCell };
      else if (state.scenario.value !== value) {
        problems.add('tabular.inconsistent-rows', `Scenario differs from line ${state.scenario.cell.location.row}`, scenarioCell.location);
      }
    }
  }
  return state;
}

/**
 * Writes a merit order list in the ANM's layout: figure 7's (with received
 * time, timestamp and scenario on every row, period above) for a re-ordered
 * list, figure 6's (issue time above) otherwise.
 */
export function renderMeritOrderTable(list: MeritOrderList): string {
  // A period start belongs to figure 7's layout: figure 6's time line is the issue time.
  const tradedLayout = list.scenario !== undefined || list.receivedAt !== undefined || list.periodStart !== undefined;
  const fields: Field[] = [
    ...(tradedLayout ? (['receivedTime', 'receivedTimestamp', 'scenario'] as const) : []),
    'order',
    'contractId',
    'resourceId',
    'resourceName',
    'operationType',
    'value',
    'valueUnits',
    'mic',
    'mec',
    'activity',
    'traded',
    'registered',
    // Figure 7 has no curtailment index; it is added only when an entry carries one, so nothing is dropped.
    ...(!tradedLayout || list.entries.some((entry) => entry.curtailmentIndex !== undefined) ? (['curtailmentIndex'] as const) : []),
  ];
  const received = list.receivedAt === undefined ? undefined : Date.parse(list.receivedAt);
  const rows: string[][] = [fields.map(heading)];
  const periodLine = tradedLayout ? list.periodStart : list.issuedAt;
  if (periodLine) rows.push([periodLine, ...fields.slice(1).map(() => '')]);
  for (const entry of list.entries) {
    const values: Record<Field, string> = {
      receivedTime: list.receivedAt ?? '',
      receivedTimestamp: received === undefined ? '' : String(toUnixSeconds(received)),
      scenario: list.scenario === undefined ? '' : String(list.scenario),
      order: String(entry.order),
      contractId: entry.contractId,
      resourceId: entry.resourceId,
      resourceName: entry.resourceName ?? '',
      operationType: entry.operationType,
      value: String(entry.value_kW),
      valueUnits: 'kW',
      mic: String(entry.mic_kW),
      mec: String(entry.mec_kW),
      activity: entry.activity,
      traded: String(entry.traded),
      registered: String(entry.registered),
      curtailmentIndex: entry.curtailmentIndex === undefined ? '' : String(entry.curtailmentIndex),
    };
    rows.push(fields.map((f) => values[f]));
  }
  return renderTsv(rows);
}
