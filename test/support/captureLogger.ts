import type { Logger } from '../../src/index.js';

/** One line a breaker logged. */
export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string | undefined;
}

/** A {@link Logger} that keeps every line, for assertions. */
export interface CaptureLogger extends Logger {
  readonly entries: LogEntry[];
  /** Entries of one level. */
  at(level: LogEntry['level']): LogEntry[];
}

/**
 * Creates a logger that records instead of printing.
 *
 * @example
 * ```ts
 * const logger = captureLogger();
 * const breaker = createCircuitBreaker({ logger });
 * expect(logger.at('error')).toHaveLength(0);
 * ```
 */
export function captureLogger(): CaptureLogger {
  const entries: LogEntry[] = [];
  const record = (level: LogEntry['level']) => (fields: object, message?: string) => {
    entries.push({ level, fields: fields as Record<string, unknown>, message });
  };
  return {
    entries,
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    at: (level) => entries.filter((e) => e.level === level),
  };
}
