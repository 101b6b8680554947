import type { ProblemLocation } from '../../schemas/problems.ts';
import type { ConstraintLookAhead, ConstraintLookAheadInput } from '../../schemas/anm/constraintLookAhead.ts';
import { Problem, ProblemCollector } from '../problem.ts';
import { SETTLEMENT_PERIOD_MS } from '../time/settlementPeriod.ts';
import { formatUtc, parseInstant } from '../time/ukTime.ts';
import { kilowattExponent, wholeKilowatts } from './cells.ts';
import { parseDelimited, renderTsv, type Delimiter, type TableLimits } from './delimited.ts';
import { attempt, locatorFrom, type TabularReading } from './reading.ts';
import { readTable, requiredCell, type ColumnSpec, type TableCell } from './table.ts';

type Field = 'constraintId' | 'size' | 'sizeUnits' | 'direction' | 'resourceId' | 'resourceName';

/** The ANM's constraint look-ahead export (figure 5); the first alias is the heading flexgate writes. */
const COLUMNS: readonly ColumnSpec<Field>[] = [
  { field: 'constraintId', aliases: ['constraint_id'], required: true },
  { field: 'size', aliases: ['constraint_size'], required: true },
  { field: 'sizeUnits', aliases: ['constraint_size_units'], required: true },
  { field: 'direction', aliases: ['constraint_direction', 'direction'], required: false },
  { field: 'resourceId', aliases: ['resource_id'], required: true },
  { field: 'resourceName', aliases: ['resource_name'], required: false },
];
const heading = (field: Field) => COLUMNS.find((c) => c.field === field)!.aliases[0]!;

type ConstraintInput = ConstraintLookAheadInput['constraints'][number];

/**
 * Reads a look-ahead exported by an ANM. Each period line (start, and
 * optionally end in the second cell) applies to the rows below it; a period
 * without an end lasts one settlement period, as the ANM's half-hourly lists do.
 */
export function readLookAheadTable(text: string, delimiter: Delimiter, limits?: TableLimits): TabularReading<ConstraintLookAheadInput> {
  const lines = readTable(parseDelimited(text, delimiter, limits), COLUMNS);
  const problems = new ProblemCollector();
  const locations = new Map<string, ProblemLocation>();
  const constraints: ConstraintInput[] = [];
  let period: { start: TableCell; end: TableCell | undefined; endText: string | undefined } | undefined;
  let byId = new Map<string, { constraint: ConstraintInput; pointer: string; sizeCell: TableCell }>();

  for (const line of lines) {
    if (line.kind === 'period') {
      const [start, end] = line.cells as [TableCell, TableCell | undefined];
      const endText = end?.text ?? defaultEnd(start, problems);
      period = { start, end, endText };
      byId = new Map();
      continue;
    }
    const { row } = line;
    if (!period) {
      problems.add('tabular.period-missing', `Line ${row.line}: no period line (start time) above this row`, { row: row.line });
      continue;
    }
    const idCell = attempt(problems, () => requiredCell(row, 'constraintId', heading('constraintId')));
    const sizeCell = attempt(problems, () => requiredCell(row, 'size', heading('size')));
    const exponent = attempt(problems, () => kilowattExponent(requiredCell(row, 'sizeUnits', heading('sizeUnits'))));
    const size = sizeCell && exponent !== undefined ? attempt(problems, () => wholeKilowatts(sizeCell, exponent)) : undefined;
    const resourceCell = attempt(problems, () => requiredCell(row, 'resourceId', heading('resourceId')));
    if (!idCell || !sizeCell || size === undefined || !resourceCell || !period.endText) continue;

    let group = byId.get(idCell.text);
    if (!group) {
      const pointer = `/constraints/${constraints.length}`;
      const direction = row.cell('direction');
      const constraint: ConstraintInput = {
        constraintId: idCell.text,
        start: period.start.text,
        end: period.endText,
        size_kW: size,
        ...(direction ? { direction: direction.text.toLowerCase() as ConstraintInput['direction'] } : {}),
        resources: [],
      };
      constraints.push(constraint);
      group = { constraint, pointer, sizeCell };
      byId.set(idCell.text, group);
      locations.set(pointer, { row: row.line });
      locations.set(`${pointer}/constraintId`, idCell.location);
      locations.set(`${pointer}/size_kW`, sizeCell.location);
      locations.set(`${pointer}/start`, period.start.location);
      locations.set(`${pointer}/end`, period.end?.location ?? period.start.location);
      if (direction) locations.set(`${pointer}/direction`, direction.location);
    } else if (group.constraint.size_kW !== size) {
      problems.add(
        'tabular.inconsistent-rows',
        `Constraint ${idCell.text} has size ${group.constraint.size_kW} kW on line ${group.sizeCell.location.row} but ${size} kW here`,
        sizeCell.location,
      );
      continue;
    }
    const resourcePointer = `${group.pointer}/resources/${group.constraint.resources.length}`;
    const nameCell = row.cell('resourceName');
    group.constraint.resources.push({ resourceId: resourceCell.text, ...(nameCell ? { resourceName: nameCell.text } : {}) });
    locations.set(resourcePointer, { row: row.line });
    locations.set(`${resourcePointer}/resourceId`, resourceCell.location);
    if (nameCell) locations.set(`${resourcePointer}/resourceName`, nameCell.location);
  }
  problems.throwIfAny();
  if (constraints.length === 0) throw new Problem('tabular.invalid-value', 'The look-ahead has no constraint rows');
  return { input: { constraints }, locate: locatorFrom(locations) };
}

function defaultEnd(start: TableCell, problems: ProblemCollector): string | undefined {
  const epoch = attempt(problems, () => parseInstant(start.text, start.location));
  return epoch === undefined ? undefined : formatUtc(epoch + SETTLEMENT_PERIOD_MS);
}

/** Writes a look-ahead in the ANM's layout, one block per period, with the end made explicit. */
export function renderLookAheadTable(lookAhead: ConstraintLookAhead): string {
  const withDirection = lookAhead.constraints.some((c) => c.direction !== undefined);
  const fields: Field[] = ['constraintId', 'size', 'sizeUnits', ...(withDirection ? (['direction'] as const) : []), 'resourceId', 'resourceName'];
  const blank = fields.slice(2).map(() => '');
  const rows: string[][] = [fields.map(heading)];
  let currentPeriod = '';
  for (const constraint of lookAhead.constraints) {
    const period = `${constraint.start}\t${constraint.end}`;
    if (period !== currentPeriod) {
      rows.push([constraint.start, constraint.end, ...blank]);
      currentPeriod = period;
    }
    for (const resource of constraint.resources) {
      const values: Record<Field, string> = {
        constraintId: constraint.constraintId,
        size: String(constraint.size_kW),
        sizeUnits: 'kW',
        direction: constraint.direction ?? '',
        resourceId: resource.resourceId,
        resourceName: resource.resourceName ?? '',
      };
      rows.push(fields.map((f) => values[f]));
    }
  }
  return renderTsv(rows);
}
