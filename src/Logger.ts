/**
 * A pino-style logger: an object of fields first, then a message. pino, bunyan-like and console
 * adapters fit.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const breaker = createCircuitBreaker({ name: 'venue', logger: pino() });
 * ```
 */
export interface Logger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/**
 * True when `value` has the three methods a breaker logs with (`info`, `warn`, `error`).
 *
 * @example
 * ```ts
 * isLogger(console); // true
 * isLogger({});      // false
 * ```
 */
export function isLogger(value: unknown): value is Logger {
  return typeof value === 'object' && value !== null && ['info', 'warn', 'error'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function');
}

/**
 * The logger used when none is given: warnings and errors go to the console as one JSON line each,
 * information is dropped. Nothing is ever silently lost.
 *
 * @example
 * ```ts
 * consoleLogger.warn({ breaker: 'venue' }, 'circuit opened');
 * ```
 */
export const consoleLogger: Logger = Object.freeze({
  info: () => {},
  warn: (fields: object, message?: string) => console.warn(JSON.stringify({ level: 'warn', msg: message, ...fields })),
  error: (fields: object, message?: string) => console.error(JSON.stringify({ level: 'error', msg: message, ...fields })),
});

/**
 * Calls a logger method and swallows what it throws: a broken logger must not break a breaker.
 *
 * @example
 * ```ts
 * safeLog(logger, 'warn', { breaker: 'venue' }, 'circuit opened'); // never throws, even if `logger.warn` does
 * ```
 */
export function safeLog(logger: Logger, level: keyof Logger, fields: object, message: string): void {
  try {
    logger[level](fields, message);
  } catch {
    // The logger itself failed; there is nowhere left to report it.
  }
}
