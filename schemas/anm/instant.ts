import { Type } from '@sinclair/typebox';

/** Every instant flexgate emits: ISO 8601 in UTC, milliseconds only when not zero. */
export const UtcInstant = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{3})?Z$',
  description: 'ISO 8601 instant in UTC, e.g. 2024-10-18T07:00:00Z',
});

/** What flexgate accepts where an instant is expected; normalised to a UtcInstant on arrival. */
export const InstantInput = Type.Union([Type.String({ minLength: 1, maxLength: 40 }), Type.Integer({ description: 'Unix time in seconds (UTC)' })], {
  description: 'ISO 8601 with Z or an offset (taken as given); DD/MM/YYYY HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS] (UK local time, Europe/London); or Unix seconds',
});
