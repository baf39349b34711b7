import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Clock } from '../Clock.js';
import { ConfigError, type ConfigProblem } from '../errors/ConfigError.js';
import { consoleLogger, type Logger } from '../Logger.js';
import type { FleetOptions, FleetPolicy } from './Fleet.js';

/**
 * {@link FleetOptions} with every default filled in, validated and frozen.
 *
 * @example
 * ```ts
 * const { leaseMs, standByMs }: ResolvedFleetOptions = resolveFleetOptions({ redis, fleet: 'desk' }, realClock);
 * ```
 */
export interface ResolvedFleetOptions {
  readonly redis: Redis;
  readonly fleet: string;
  readonly instance: string;
  readonly policy: FleetPolicy;
  readonly leaseMs: number;
  readonly standByMs: number;
  readonly claimTimeoutMs: number;
  readonly digestPeriodMs: number;
  readonly connectTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
}

const KEYS = new Set([
  'redis', 'fleet', 'instance', 'policy', 'leaseMs', 'standByMs', 'claimTimeoutMs', 'digestPeriodMs', 'connectTimeoutMs', 'clock', 'logger',
]);
const MAX_MS = 2_147_483_647;

/**
 * Validates {@link FleetOptions} once, up front, reporting every problem at once.
 *
 * @throws {@link ConfigError} listing each invalid or unknown option with the value given.
 * @example
 * ```ts
 * const resolved = resolveFleetOptions({ redis, fleet: 'order-router' }, realClock);
 * resolved.leaseMs; // 5000
 * ```
 */
export function resolveFleetOptions(options: FleetOptions, defaultClock: Clock): ResolvedFleetOptions {
  const problems: ConfigProblem[] = [];
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError([{ option: 'options', value: options, expected: 'an object with at least `redis` and `fleet`' }]);
  }
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) problems.push({ option: key, value: (options as unknown as Record<string, unknown>)[key], expected: 'no such fleet option (unknown key)' });
  }
  const redis = options.redis as Partial<Redis> | undefined;
  if (typeof redis !== 'object' || redis === null || typeof redis.duplicate !== 'function' || typeof redis.evalsha !== 'function') {
    problems.push({ option: 'redis', value: redis, expected: 'an ioredis client' });
  }
  const name = (option: 'fleet' | 'instance', value: unknown): void => {
    if (typeof value !== 'string' || value.length === 0 || /[{}\s]/.test(value)) {
      problems.push({ option, value, expected: 'a non-empty string without braces or spaces' });
    }
  };
  name('fleet', options.fleet);
  const instance = options.instance ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  name('instance', instance);
  const policy = options.policy ?? 'follow';
  if (policy !== 'follow') {
    const q = (policy as { quorum?: unknown } | null)?.quorum;
    if (typeof policy !== 'object' || typeof q !== 'number' || !Number.isInteger(q) || q < 1) {
      problems.push({ option: 'policy', value: policy, expected: "'follow' or { quorum: a positive integer }" });
    }
  }
  const duration = (option: keyof FleetOptions, value: unknown, fallback: number, min: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_MS) {
      problems.push({ option, value, expected: `a finite number of milliseconds in [${min}, ${MAX_MS}]` });
      return fallback;
    }
    return value;
  };
  const leaseMs = duration('leaseMs', options.leaseMs, 5_000, 10);
  const standByMs = duration('standByMs', options.standByMs, Math.max(50, Math.round(leaseMs / 10)), 1);
  const claimTimeoutMs = duration('claimTimeoutMs', options.claimTimeoutMs, 250, 1);
  const digestPeriodMs = duration('digestPeriodMs', options.digestPeriodMs, 1_000, 0);
  const connectTimeoutMs = duration('connectTimeoutMs', options.connectTimeoutMs, 2_000, 0);
  const clock = options.clock ?? defaultClock;
  if (typeof clock?.now !== 'function' || typeof clock.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
    problems.push({ option: 'clock', value: clock, expected: '{ now, setTimeout, clearTimeout }' });
  }
  const logger = options.logger ?? consoleLogger;
  if (typeof logger?.warn !== 'function' || typeof logger.info !== 'function' || typeof logger.error !== 'function') {
    problems.push({ option: 'logger', value: logger, expected: 'a pino-style logger with info, warn and error' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    redis: options.redis, fleet: options.fleet, instance, policy, leaseMs, standByMs, claimTimeoutMs, digestPeriodMs, connectTimeoutMs, clock, logger,
  });
}
