import { Problem } from '../problem.ts';
import type { TableCell } from './table.ts';

const UNIT_FACTORS: Record<string, { name: string; exponent: number }> = {
  kw: { name: 'kW', exponent: 0 },
  kwt: { name: 'kW', exponent: 0 }, // CIM unit code
  mw: { name: 'MW', exponent: 3 },
  maw: { name: 'MW', exponent: 3 }, // CIM unit code
};

/** Decimal exponent that turns a quantity in `unit` into kW; unknown units are refused. */
export function kilowattExponent(unit: TableCell): number {
  const known = UNIT_FACTORS[unit.text.toLowerCase()];
  if (!known) throw new Problem('units.unknown', `Unit "${unit.text}" is not recognised; use kW or MW`, unit.location);
  return known.exponent;
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * A decimal quantity scaled by 10^exponent into whole kW, done on the digits
 * so that 1.234 MW is exactly 1234 kW; a result with a fraction is refused.
 */
export function wholeKilowatts(cell: TableCell, exponent: number): number {
  const match = DECIMAL.exec(cell.text);
  if (!match) throw new Problem('tabular.invalid-value', `"${cell.text}" is not a number`, cell.location);
  const [, sign, whole, fraction = ''] = match;
  const shifted = fraction.padEnd(exponent, '0');
  const integerDigits = whole! + shifted.slice(0, exponent);
  const remainder = shifted.slice(exponent);
  if (/[1-9]/.test(remainder)) {
    throw new Problem('units.not-whole-kw', `"${cell.text}" is not a whole number of kW`, cell.location);
  }
  const value = Number(integerDigits) * (sign === '-' ? -1 : 1);
  if (!Number.isSafeInteger(value) || Math.abs(value) > 2_000_000_000) {
    throw new Problem('tabular.invalid-value', `"${cell.text}" is out of range`, cell.location);
  }
  return value === 0 ? 0 : value;
}

export function integerCell(cell: TableCell): number {
  if (!/^[+-]?\d{1,15}$/.test(cell.text)) {
    throw new Problem('tabular.invalid-value', `"${cell.text}" is not a whole number`, cell.location);
  }
  return Number(cell.text);
}

export function booleanCell(cell: TableCell): boolean {
  const text = cell.text.toLowerCase();
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new Problem('tabular.invalid-value', `"${cell.text}" is not true or false`, cell.location);
}
