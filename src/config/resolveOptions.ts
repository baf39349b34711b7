import { defaultRandom, realClock, type Clock } from '../Clock.js';
import { ConfigError, isConfigError, type ConfigProblem } from '../errors/ConfigError.js';
import { consoleLogger, isLogger, type Logger } from '../Logger.js';
import type { BackoffOptions } from '../backoff.js';
import { resolveStateStore, type PersistOption } from '../persistence/resolveStateStore.js';
import type { StateStore } from '../persistence/StateStore.js';
import type { CircuitBreakerOptions } from './CircuitBreakerOptions.js';

/** Options after defaults and validation: complete and frozen. */
export interface ResolvedOptions {
  readonly name: string;
  readonly failureThreshold: number;
  readonly latencyThresholdMs: number;
  readonly errorRateThreshold: number;
  readonly windowSize: number;
  readonly minimumSamples: number;
  readonly halfOpenRequests: number;
  readonly halfOpenTimeoutMs: number;
  readonly recovery: BackoffOptions;
  readonly healthCheck: ((signal: AbortSignal) => unknown) | undefined;
  readonly healthCheckTimeoutMs: number;
  readonly isFailure: (error: unknown) => boolean;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: Logger;
  readonly inspect: CircuitBreakerOptions['inspect'];
  readonly restore: unknown;
  /** Where `persist` keeps the state, or undefined without persistence. */
  readonly stateStore: StateStore | undefined;
}

/**
 * The product spec's defaults, frozen: what {@link resolveOptions} fills in for every option not given.
 *
 * @example
 * ```ts
 * DEFAULTS.latencyThresholdMs;   // 200
 * DEFAULTS.recovery.baseDelayMs; // 1000
 * ```
 */
export const DEFAULTS = Object.freeze({
  name: 'breaker',
  failureThreshold: 5,
  latencyThresholdMs: 200,
  errorRateThreshold: 0.5,
  windowSize: 1000,
  minimumSamples: 100,
  recoveryTimeoutMs: 30_000,
  halfOpenRequests: 3,
  halfOpenTimeoutMs: 10_000,
  healthCheckTimeoutMs: 5_000,
  recovery: Object.freeze({ baseDelayMs: 1_000, maxDelayMs: 300_000, multiplier: 2, jitterFactor: 0.1 }),
});

/**
 * The names of every `createCircuitBreaker` option, for layers that accept them too (the trading wrapper).
 *
 * @example
 * ```ts
 * BREAKER_OPTION_KEYS.has('latencyThresholdMs'); // true
 * ```
 */
export const BREAKER_OPTION_KEYS: ReadonlySet<string> = new Set([
  'name', 'failureThreshold', 'latencyThresholdMs', 'errorRateThreshold', 'windowSize', 'minimumSamples',
  'recoveryTimeoutMs', 'halfOpenRequests', 'halfOpenTimeoutMs', 'recovery', 'healthCheck',
  'healthCheckTimeoutMs', 'isFailure', 'clock', 'random', 'logger', 'inspect', 'restore', 'persist',
]);
const RECOVERY_KEYS = new Set(['baseDelayMs', 'maxDelayMs', 'multiplier', 'jitterFactor']);

/** Upper bound for any millisecond option: the largest delay host timers accept (~24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Applies defaults and validates every option at once, without mutating `options`.
 *
 * @throws {@link ConfigError} listing every invalid or unknown option with the value given.
 * @example
 * ```ts
 * const resolved = resolveOptions({ latencyThresholdMs: 150 });
 * resolved.windowSize; // 1000
 * ```
 */
export function resolveOptions(options: unknown = {}): ResolvedOptions {
  const problems: ConfigProblem[] = [];
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new ConfigError([{ option: 'options', value: options, expected: 'an object' }]);
  }
  const given = options as Record<string, unknown>;
  const read = (key: string): unknown => {
    try {
      return given[key];
    } catch (error) {
      problems.push({ option: key, value: error, expected: 'a readable property' });
      return undefined;
    }
  };
  for (const key of safeKeys(given, problems, 'options')) {
    if (!BREAKER_OPTION_KEYS.has(key)) problems.push({ option: key, value: read(key), expected: 'no such option (unknown key)' });
  }

  const check = <T>(key: string, fallback: T, valid: (v: unknown) => boolean, expected: string, source = given, prefix = ''): T => {
    const value = source === given ? read(key) : source[key];
    if (value === undefined) return fallback;
    if (!valid(value)) {
      problems.push({ option: prefix + key, value, expected });
      return fallback;
    }
    return value as T;
  };
  const positiveInteger = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 1;
  const durationMs = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_TIMER_MS;
  const positiveDurationMs = (v: unknown): boolean => durationMs(v) && (v as number) > 0;
  const unitInterval = (v: unknown): boolean => typeof v === 'number' && v >= 0 && v <= 1;
  const isFunction = (v: unknown): boolean => typeof v === 'function';

  const name = check('name', DEFAULTS.name, (v) => typeof v === 'string' && v.length > 0, 'a non-empty string');
  const failureThreshold = check('failureThreshold', DEFAULTS.failureThreshold, positiveInteger, 'a positive integer');
  const latencyThresholdMs = check('latencyThresholdMs', DEFAULTS.latencyThresholdMs, (v) => typeof v === 'number' && v >= 0, 'a number of milliseconds ≥ 0 (Infinity turns the P99 rule off)');
  const errorRateThreshold = check('errorRateThreshold', DEFAULTS.errorRateThreshold, unitInterval, 'a rate in [0, 1]');
  const windowSize = check('windowSize', DEFAULTS.windowSize, (v) => positiveInteger(v) && (v as number) <= 10_000_000, 'an integer in [1, 10000000]');
  const minimumSamples = check('minimumSamples', Math.min(DEFAULTS.minimumSamples, windowSize), (v) => Number.isSafeInteger(v) && (v as number) >= 0, 'a non-negative integer');
  if (minimumSamples > windowSize && read('minimumSamples') !== undefined) {
    problems.push({ option: 'minimumSamples', value: minimumSamples, expected: `at most windowSize (${windowSize}), or the rules could never apply` });
  }
  const recoveryTimeoutMs = check('recoveryTimeoutMs', DEFAULTS.recoveryTimeoutMs, durationMs, `a finite number of milliseconds in [0, ${MAX_TIMER_MS}]`);
  const halfOpenRequests = check('halfOpenRequests', DEFAULTS.halfOpenRequests, positiveInteger, 'a positive integer');
  const halfOpenTimeoutMs = check('halfOpenTimeoutMs', DEFAULTS.halfOpenTimeoutMs, positiveDurationMs, `a positive number of milliseconds up to ${MAX_TIMER_MS}`);
  const healthCheckGiven = check<ResolvedOptions['healthCheck'] | { check: (signal: AbortSignal) => unknown }>(
    'healthCheck',
    undefined,
    (v) => isFunction(v) || (typeof v === 'object' && v !== null && typeof (v as { check?: unknown }).check === 'function'),
    'a function (signal) => Promise, or a HealthChecker (an object with check(signal))',
  );
  // A HealthChecker object (e.g. PingHealthChecker) plugs in as its check method.
  const healthCheck: ResolvedOptions['healthCheck'] =
    typeof healthCheckGiven === 'object' ? (signal: AbortSignal) => healthCheckGiven.check(signal) : healthCheckGiven;
  const healthCheckTimeoutMs = check('healthCheckTimeoutMs', DEFAULTS.healthCheckTimeoutMs, positiveDurationMs, `a positive number of milliseconds up to ${MAX_TIMER_MS}`);
  const isFailure = check<(error: unknown) => boolean>('isFailure', () => true, isFunction, 'a function (error) => boolean');
  const clock = check<Clock>('clock', realClock, (v) => typeof v === 'object' && v !== null && ['now', 'setTimeout', 'clearTimeout'].every((m) => typeof (v as Record<string, unknown>)[m] === 'function'), 'an object with now(), setTimeout() and clearTimeout()');
  const random = check<() => number>('random', defaultRandom, isFunction, 'a function () => number in [0, 1)');
  const logger = check<Logger>('logger', consoleLogger, isLogger, 'an object with info(), warn() and error()');
  const inspectGiven = check<unknown>(
    'inspect',
    undefined,
    (v) => typeof v === 'function' || (typeof v === 'object' && v !== null && (typeof (v as { next?: unknown }).next === 'function' || 'inspect' in v)),
    'an XState inspector: a function, an observer with next(), or an @statelyai/inspect inspector',
  );
  // `inspect: inspector` (the whole @statelyai/inspect object) works like `inspect: inspector.inspect`.
  const inspect = (
    typeof inspectGiven === 'object' && inspectGiven !== null && typeof (inspectGiven as { next?: unknown }).next !== 'function'
      ? (inspectGiven as { inspect: unknown }).inspect
      : inspectGiven
  ) as ResolvedOptions['inspect'];

  const persist = read('persist');
  let stateStore: StateStore | undefined;
  if (persist !== undefined) {
    try {
      stateStore = resolveStateStore(persist as PersistOption); // validates `persist`; opens no file yet
    } catch (error) {
      if (!isConfigError(error)) throw error;
      problems.push(...error.problems);
    }
  }

  const recoveryGiven = read('recovery');
  let recovery: BackoffOptions = { recoveryTimeoutMs, ...DEFAULTS.recovery };
  if (recoveryGiven !== undefined) {
    if (typeof recoveryGiven !== 'object' || recoveryGiven === null || Array.isArray(recoveryGiven)) {
      problems.push({ option: 'recovery', value: recoveryGiven, expected: 'an object' });
    } else {
      const r = recoveryGiven as Record<string, unknown>;
      for (const key of safeKeys(r, problems, 'recovery')) {
        if (!RECOVERY_KEYS.has(key)) problems.push({ option: `recovery.${key}`, value: r[key], expected: 'no such option (unknown key)' });
      }
      const baseDelayMs = check('baseDelayMs', DEFAULTS.recovery.baseDelayMs, durationMs, `a finite number of milliseconds in [0, ${MAX_TIMER_MS}]`, r, 'recovery.');
      const maxDelayMs = check('maxDelayMs', DEFAULTS.recovery.maxDelayMs, durationMs, `a finite number of milliseconds in [0, ${MAX_TIMER_MS}]`, r, 'recovery.');
      const multiplier = check('multiplier', DEFAULTS.recovery.multiplier, (v) => typeof v === 'number' && Number.isFinite(v) && v >= 1, 'a finite number ≥ 1', r, 'recovery.');
      const jitterFactor = check('jitterFactor', DEFAULTS.recovery.jitterFactor, unitInterval, 'a share in [0, 1]', r, 'recovery.');
      if (maxDelayMs < baseDelayMs) {
        problems.push({ option: 'recovery.maxDelayMs', value: maxDelayMs, expected: `at least recovery.baseDelayMs (${baseDelayMs})` });
      }
      recovery = { recoveryTimeoutMs, baseDelayMs, maxDelayMs, multiplier, jitterFactor };
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    name, failureThreshold, latencyThresholdMs, errorRateThreshold, windowSize, minimumSamples,
    halfOpenRequests, halfOpenTimeoutMs, recovery: Object.freeze(recovery), healthCheck, healthCheckTimeoutMs,
    isFailure, clock, random, logger, inspect, restore: read('restore'), stateStore,
  });
}

function safeKeys(object: object, problems: ConfigProblem[], option: string): string[] {
  try {
    return Object.keys(object);
  } catch (error) {
    problems.push({ option, value: error, expected: 'an object whose keys can be listed' });
    return [];
  }
}
