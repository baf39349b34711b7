/** One invalid option: its dotted name, the value given, and what was expected. */
export interface ConfigProblem {
  readonly option: string;
  readonly value: unknown;
  readonly expected: string;
}

const brand = Symbol.for('p99-breaker.ConfigError');

/**
 * Thrown by `createCircuitBreaker` when options are invalid. It lists every problem at once, each with
 * the option's name and the value given, so one run shows everything to fix.
 *
 * @example
 * ```ts
 * try {
 *   createCircuitBreaker({ windowSize: -1, errorRateThreshold: 2 });
 * } catch (e) {
 *   if (isConfigError(e)) console.error(e.problems.map((p) => p.option)); // ['windowSize', 'errorRateThreshold']
 * }
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Every problem found, in option order. */
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(
      `Invalid circuit breaker options:\n${problems
        .map((p) => `  - \`${p.option}\`: expected ${p.expected}, got ${describeValue(p.value)}`)
        .join('\n')}`,
    );
    this.problems = Object.freeze([...problems]);
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * True when `error` is a {@link ConfigError}, from this copy of the package or another.
 *
 * @example
 * ```ts
 * if (isConfigError(e)) for (const p of e.problems) console.error(p.option, p.value);
 * ```
 */
export function isConfigError(error: unknown): error is ConfigError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}

/**
 * Renders any value readably for an error message, including NaN, -0, functions and symbols. Never
 * throws, even for a circular object.
 *
 * @example
 * ```ts
 * describeValue(-0);     // '-0'
 * describeValue('200');  // '"200"'
 * describeValue(10n);    // '10n'
 * ```
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `a function`;
  if (typeof value === 'symbol') return value.toString();
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
