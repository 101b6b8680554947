import { parseInstant, toUkWallTime } from '../protocol/time/ukTime.ts';
import type { ScenarioDay } from './scenarioCatalogue.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const pad = (n: number) => String(n).padStart(2, '0');

/** The UK date (YYYY-MM-DD) a scenario plays on, relative to `now`: lists carry times of day, so one file serves any date. */
export function scenarioDate(day: ScenarioDay, now: number): string {
  if (day === 'tomorrow') {
    const wall = toUkWallTime(now + DAY_MS);
    return `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`;
  }
  // Clocks go back on the last Sunday of October: the day with 50 settlement periods.
  const today = toUkWallTime(now);
  for (const year of [today.year, today.year + 1]) {
    const lastOfOctober = new Date(Date.UTC(year, 9, 31));
    const sunday = 31 - lastOfOctober.getUTCDay();
    const date = `${year}-10-${pad(sunday)}`;
    if (Date.UTC(year, 9, sunday) > now) return date;
  }
  throw new RangeError('no autumn clock change within a year');
}

/** A list's time of day on a date as an instant: UK local, or as given when it carries an offset. */
export function instantOn(date: string, timeOfDay: string): number {
  return timeOfDay.length > 5 ? parseInstant(`${date}T${timeOfDay.slice(0, 5)}:00${timeOfDay.slice(5)}`) : parseInstant(`${date} ${timeOfDay}`);
}
