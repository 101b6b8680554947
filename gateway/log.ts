import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON log lines on stderr; stdout stays for what the CLI prints. */
export function createLogger(level = process.env.FLEXGATE_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'flexgate' } }, pino.destination(2));
}
