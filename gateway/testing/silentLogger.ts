import { pino } from 'pino';

/** A logger for tests: level from FLEXGATE_LOG_LEVEL, silent by default. */
export const testLogger = pino({ level: process.env.FLEXGATE_LOG_LEVEL ?? 'silent' });
