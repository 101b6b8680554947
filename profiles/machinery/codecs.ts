/** A conversion the value cannot make: a model value with no wire form, or wire text with no model value. */
export class CodecError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'CodecError';
  }
}

/** A model value ⇄ the text of one element (or attribute, or fact). */
export interface Codec<T> {
  /** How the docs page names the conversion. */
  readonly describe: string;
  accepts(value: unknown): value is T;
  write(value: T): string;
  read(text: string): T;
}

export const SETTLEMENT_PERIOD_MS = 30 * 60_000;

export const textCodec: Codec<string> = {
  describe: 'text as is',
  accepts: (value): value is string => typeof value === 'string',
  write: (value) => value,
  read: (text) => text,
};

const CANONICAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

export function integerCodec(minimum: number, maximum: number, describe = 'whole number'): Codec<number> {
  return {
    describe,
    accepts: (value): value is number => Number.isSafeInteger(value),
    write(value) {
      if (value < minimum || value > maximum) throw new CodecError(`${value} is outside ${minimum}..${maximum}`);
      return String(value);
    },
    read(text) {
      const value = Number(text);
      if (!CANONICAL_INTEGER.test(text) || text === '-0' || !Number.isSafeInteger(value)) {
        throw new CodecError(`"${text}" is not a whole number written without sign padding or decimals`);
      }
      if (value < minimum || value > maximum) throw new CodecError(`${value} is outside ${minimum}..${maximum}`);
      return value;
    },
  };
}

/** Whole kilowatts, as the ANM model keeps them (`_kW` fields). */
export const kilowattsCodec = integerCodec(-2_000_000_000, 2_000_000_000, 'whole kW');

export const booleanCodec: Codec<boolean> = {
  describe: '`true` / `false`',
  accepts: (value): value is boolean => typeof value === 'boolean',
  write: (value) => String(value),
  read(text) {
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw new CodecError(`"${text}" is not true or false`);
  },
};

/** A closed mapping between model values and codes; one code per value and back. */
export function codeMapCodec<V extends string>(mapping: Readonly<Record<V, string>>): Codec<V> {
  const entries = Object.entries(mapping) as [V, string][];
  const byCode = new Map(entries.map(([value, code]) => [code, value]));
  if (byCode.size !== entries.length) throw new Error('A code map must give each value its own code');
  return {
    describe: entries.map(([value, code]) => `${value} ⇄ ${code}`).join(', '),
    accepts: (value): value is V => typeof value === 'string' && Object.hasOwn(mapping, value),
    write: (value) => mapping[value],
    read(text) {
      const value = byCode.get(text);
      if (value === undefined) throw new CodecError(`"${text}" is not one of ${[...byCode.keys()].join(', ')}`);
      return value;
    },
  };
}

function calendarInstant(year: number, month: number, day: number, hour: number, minute: number, second: number): number | undefined {
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second);
  const probe = new Date(epoch);
  const valid = probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
  return valid && hour < 24 && minute < 60 && second < 60 ? epoch : undefined;
}

const CANONICAL_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{3}))?Z$/;

/** Epoch milliseconds of a canonical UTC instant (`YYYY-MM-DDTHH:MM:SS[.sss]Z`), or undefined. */
export function epochOf(instant: string): number | undefined {
  const match = CANONICAL_UTC.exec(instant);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, ms] = match;
  const epoch = calendarInstant(+y!, +mo!, +d!, +h!, +mi!, +s!);
  return epoch === undefined ? undefined : epoch + (ms ? +ms : 0);
}

/** The canonical form flexgate stores: milliseconds only when not zero. */
export function formatInstant(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, 19)}Z` : iso;
}

/** A model instant carried exactly (milliseconds included) in text. */
export const utcInstantCodec: Codec<string> = {
  describe: 'UTC instant as stored (`YYYY-MM-DDTHH:MM:SS[.sss]Z`)',
  accepts: (value): value is string => typeof value === 'string' && epochOf(value) !== undefined,
  write: (value) => value,
  read(text) {
    const epoch = epochOf(text);
    if (epoch === undefined || formatInstant(epoch) !== text) throw new CodecError(`"${text}" is not a UTC instant in canonical form`);
    return text;
  },
};

const INTERVAL_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})Z$/;

/** `YYYY-MM-DDTHH:MMZ` → epoch ms, when it is a real calendar time. */
export function intervalEpoch(text: string): number | undefined {
  const match = INTERVAL_INSTANT.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi] = match;
  return calendarInstant(+y!, +mo!, +d!, +h!, +mi!, 0);
}

/** Epoch ms → `YYYY-MM-DDTHH:MMZ`, the form of ESMP interval bounds. */
export function intervalText(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 16)}Z`;
}

/**
 * A model instant as an ESMP interval bound. Interval bounds have minute
 * precision and the profile's resolution is the half-hour settlement period,
 * so only instants on the half-hour grid have a wire form; others are
 * refused, never rounded.
 */
export const intervalInstantCodec: Codec<string> = {
  describe: '`YYYY-MM-DDTHH:MM:00Z` ⇄ `YYYY-MM-DDTHH:MMZ` (half-hour grid)',
  accepts: (value): value is string => typeof value === 'string' && epochOf(value) !== undefined,
  write(value) {
    const epoch = epochOf(value)!;
    if (epoch % SETTLEMENT_PERIOD_MS !== 0) throw new CodecError(`${value} is not on the half-hour settlement grid`);
    return intervalText(epoch);
  },
  read(text) {
    const epoch = intervalEpoch(text);
    if (epoch === undefined) throw new CodecError(`"${text}" is not a calendar time`);
    if (epoch % SETTLEMENT_PERIOD_MS !== 0) throw new CodecError(`${text} is not on the half-hour settlement grid`);
    return formatInstant(epoch);
  },
};

const CREATED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** `createdDateTime`: whole seconds, UTC. */
export const createdDateTimeCodec: Codec<string> = {
  describe: '`YYYY-MM-DDTHH:MM:SSZ`',
  accepts: (value): value is string => typeof value === 'string' && CREATED.test(value),
  write: (value) => value,
  read(text) {
    const match = CREATED.exec(text);
    if (!match || calendarInstant(+match[1]!, +match[2]!, +match[3]!, +match[4]!, +match[5]!, +match[6]!) === undefined) {
      throw new CodecError(`"${text}" is not a calendar time`);
    }
    return text;
  },
};

/** A model code written as is, from a closed list. */
export function oneOfCodec<V extends string>(values: readonly V[]): Codec<V> {
  const allowed: ReadonlySet<string> = new Set(values);
  const accepts = (value: unknown): value is V => typeof value === 'string' && allowed.has(value);
  return {
    describe: values.map((v) => `\`${v}\``).join(' / '),
    accepts,
    write: (value) => value,
    read(text) {
      if (!accepts(text)) throw new CodecError(`"${text}" is not one of ${values.join(', ')}`);
      return text;
    },
  };
}
