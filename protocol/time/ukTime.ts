import { Problem } from '../problem.ts';
import type { ProblemLocation } from '../../schemas/problems.ts';

/** ANM exports give wall-clock times in the GB network's zone. */
export const UK_TIME_ZONE = 'Europe/London';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

const wallClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: UK_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** UK wall-clock reading of an instant. */
export function toUkWallTime(epochMs: number): WallTime {
  const parts: Record<string, number> = {};
  for (const part of wallClock.formatToParts(epochMs)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
    millisecond: ((epochMs % 1000) + 1000) % 1000,
  };
}

// Offsets change on whole hours in GB, so one lookup per UTC hour suffices.
const offsetCache = new Map<number, number>();

/** Minutes UK local time is ahead of UTC at an instant (0 in GMT, 60 in BST). */
export function ukOffsetMinutes(epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  let offset = offsetCache.get(hour);
  if (offset === undefined) {
    const wall = toUkWallTime(hour * HOUR_MS);
    const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
    offset = Math.round((wallAsUtc - hour * HOUR_MS) / MINUTE_MS);
    if (offsetCache.size > 100_000) offsetCache.clear();
    offsetCache.set(hour, offset);
  }
  return offset;
}

/**
 * The instant a UK wall-clock time denotes. Times inside the spring-forward
 * gap do not exist and times in the repeated autumn hour are ambiguous: both
 * are refused rather than guessed, since a wrong guess shifts a curtailment
 * by an hour.
 */
export function ukWallTimeToEpoch(wall: WallTime, location: ProblemLocation = {}): number {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, wall.millisecond);
  const candidateOffsets = new Set([ukOffsetMinutes(asUtc - DAY_MS), ukOffsetMinutes(asUtc + DAY_MS)]);
  const valid = [...candidateOffsets]
    .map((offset) => asUtc - offset * MINUTE_MS)
    .filter((epoch) => ukOffsetMinutes(epoch) * MINUTE_MS === asUtc - epoch)
    .sort((a, b) => a - b);
  const shown = formatWall(wall);
  if (valid.length === 0) {
    throw new Problem('time.nonexistent-local', `${shown} does not exist in ${UK_TIME_ZONE}: clocks went forward`, location);
  }
  if (valid.length > 1) {
    const [first, second] = valid.map((epoch) => formatUtc(epoch));
    throw new Problem('time.ambiguous-local', `${shown} happens twice in ${UK_TIME_ZONE} (${first} and ${second}); give an explicit offset`, location);
  }
  return valid[0]!;
}

function formatWall(wall: WallTime): string {
  const p = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${p(wall.year, 4)}-${p(wall.month)}-${p(wall.day)} ${p(wall.hour)}:${p(wall.minute)}:${p(wall.second)}`;
}

const DAY_FIRST = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|z|[+-]\d{2}:?\d{2})?$/;
const UNIX_SECONDS = /^-?\d{1,11}$/;

/** The instants flexgate accepts: 2000-01-01T00:00Z (inclusive) to 2100-01-01T00:00Z (exclusive). */
export const EARLIEST_INSTANT_MS = Date.UTC(2000, 0, 1);
export const LATEST_INSTANT_MS = Date.UTC(2100, 0, 1);

// The widest offsets in use anywhere (UTC−12:00 to UTC+14:00), with room for neither more.
const MAX_OFFSET_MINUTES = 14 * 60;

/**
 * Reads an instant in any form the ANM and its peers send:
 * `DD/MM/YYYY HH:MM[:SS]` and `YYYY-MM-DD HH:MM[:SS]` as UK local time,
 * ISO 8601 with `Z` or an offset as given, and Unix seconds as UTC.
 * Returns epoch milliseconds. An instant outside 2000–2100 is refused: no
 * flexibility document needs one, and beyond it renderings garble
 * (`+010000-…`) and time series explode.
 */
export function parseInstant(input: string | number, location: ProblemLocation = {}): number {
  const epoch = readInstant(input, location);
  if (epoch < EARLIEST_INSTANT_MS || epoch >= LATEST_INSTANT_MS) {
    const shown = typeof input === 'number' ? String(input) : `"${input.trim().slice(0, 64)}"`;
    throw new Problem('time.out-of-range', `${shown} is outside the years 2000 to 2099 that flexgate accepts`, location);
  }
  return epoch;
}

function readInstant(input: string | number, location: ProblemLocation): number {
  if (typeof input === 'number') return unixSeconds(input, location);
  const text = input.trim();
  if (UNIX_SECONDS.test(text)) return unixSeconds(Number(text), location);

  const dayFirst = DAY_FIRST.exec(text);
  if (dayFirst) {
    const [, day, month, year, hour, minute, second] = dayFirst;
    const wall = checkedWall(text, +year!, +month!, +day!, +hour!, +minute!, second ? +second : 0, 0, location);
    return ukWallTimeToEpoch(wall, location);
  }

  const iso = ISO_LIKE.exec(text);
  if (iso) {
    const [, year, month, day, hour, minute, second, fraction, zone] = iso;
    const millisecond = fraction ? Number(fraction.padEnd(3, '0')) : 0;
    const wall = checkedWall(text, +year!, +month!, +day!, +hour!, +minute!, second ? +second : 0, millisecond, location);
    if (!zone) return ukWallTimeToEpoch(wall, location);
    const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, millisecond);
    return asUtc - zoneOffsetMinutes(zone, text, location) * MINUTE_MS;
  }

  throw new Problem(
    'time.invalid',
    `"${text.slice(0, 64)}" is not a time: use ISO 8601 with an offset, DD/MM/YYYY HH:MM[:SS] or YYYY-MM-DD HH:MM:SS (UK local), or Unix seconds`,
    location,
  );
}

function unixSeconds(seconds: number, location: ProblemLocation): number {
  if (!Number.isSafeInteger(seconds) || Math.abs(seconds) > 99_999_999_999) {
    throw new Problem('time.invalid', `${seconds} is not a Unix time in whole seconds`, location);
  }
  return seconds * 1000;
}

function zoneOffsetMinutes(zone: string, text: string, location: ProblemLocation): number {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2));
  const offset = hours * 60 + minutes;
  if (minutes > 59 || offset > MAX_OFFSET_MINUTES) throw new Problem('time.invalid', `"${text}" has a UTC offset beyond ±14:00`, location);
  return sign * offset;
}

function checkedWall(
  text: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
  location: ProblemLocation,
): WallTime {
  const probe = new Date(Date.UTC(year, month - 1, day));
  const calendarOk = probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
  if (!calendarOk || hour > 23 || minute > 59 || second > 59) {
    throw new Problem('time.invalid', `"${text}" is not a valid date and time`, location);
  }
  return { year, month, day, hour, minute, second, millisecond };
}

/** The wire form of an instant: ISO 8601 UTC, milliseconds only when present. */
export function formatUtc(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/** Unix seconds of an instant (as the ANM's `Recvd Timestamp` column carries it). */
export function toUnixSeconds(epochMs: number): number {
  return Math.floor(epochMs / 1000);
}
