import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs through pino. Message text is never logged at info: turn logs carry ids only,
 * and anything user-typed goes through the PII masker and only at debug.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'rapport' }, redact: { paths: ['text', '*.text', 'activity.text'], censor: '[text]' } }, destination);
}
