import { circuitBreaker, ConsecutiveBreaker, handleAll, SamplingBreaker, type CircuitBreakerPolicy } from 'cockatiel';
import OpossumBreaker from 'opossum';
import { createCircuitBreaker } from '../src/breaker/createCircuitBreaker.js';
import type { CircuitBreaker } from '../src/breaker/CircuitBreaker.js';
import { realClock } from '../src/Clock.js';
import type { CircuitBreakerOptions } from '../src/config/CircuitBreakerOptions.js';
import type { Logger } from '../src/Logger.js';

/** The operation every per-call benchmark wraps: an async function that resolves at once. */
export const resolvesAtOnce = async (): Promise<number> => 1;

/** A logger that drops everything, so that tripping breakers on purpose prints nothing. */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Options for our breaker in the benchmarks: defaults, no logging, and an open state that lasts an hour. */
export const benchBreakerOptions: CircuitBreakerOptions = {
  logger: silentLogger,
  recoveryTimeoutMs: 3_600_000,
  recovery: { baseDelayMs: 3_600_000, maxDelayMs: 3_600_000 },
};

/**
 * Our breaker as benchmarked: defaults (window 1 000, threshold 200 ms), real clock.
 *
 * @example
 * ```ts
 * const breaker = createBenchBreaker('closed');
 * await breaker.execute(resolvesAtOnce);
 * ```
 */
export function createBenchBreaker(name: string): CircuitBreaker {
  return createCircuitBreaker({ ...benchBreakerOptions, name });
}

/** Trips our breaker the ordinary way (a failure streak of 5), leaving it open for an hour. */
export async function tripOurs(breaker: CircuitBreaker): Promise<void> {
  for (let i = 0; i < 5; i++) await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
  if (breaker.state !== 'open') throw new Error(`expected ${breaker.name} to be open, it is ${breaker.state}`);
}

/** cockatiel@3 with a consecutive-failures breaker (measures no latency). */
export function createCockatielConsecutive(): CircuitBreakerPolicy {
  return circuitBreaker(handleAll, { halfOpenAfter: 3_600_000, breaker: new ConsecutiveBreaker(5) });
}

/** cockatiel@3 with a sampling breaker (failure rate over 10 s, in time buckets). */
export function createCockatielSampling(): CircuitBreakerPolicy {
  return circuitBreaker(handleAll, { halfOpenAfter: 3_600_000, breaker: new SamplingBreaker({ threshold: 0.2, duration: 10_000 }) });
}

/** Trips a cockatiel policy with 5 failures (the consecutive breaker's threshold). */
export async function tripCockatiel(policy: CircuitBreakerPolicy): Promise<void> {
  for (let i = 0; i < 5; i++) await policy.execute(() => Promise.reject(new Error('down'))).catch(() => {});
  if (policy.state !== 1 /* CircuitState.Open */) throw new Error(`expected cockatiel to be open, state ${policy.state}`);
}

/**
 * opossum@9 around the operation. `timeout: false` skips its per-call timer; the default (10 s) arms and
 * clears one `setTimeout` per call.
 */
export function createOpossum(withDefaultTimeout: boolean): OpossumBreaker<[], number> {
  return new OpossumBreaker(resolvesAtOnce, withDefaultTimeout ? {} : { timeout: false });
}

/**
 * The floor for any breaker that measures latency: two reads of our real clock around an await, and the
 * difference stored.
 *
 * @example
 * ```ts
 * const timed = createTimingOnlyWrapper();
 * await timed.call(resolvesAtOnce);
 * ```
 */
export function createTimingOnlyWrapper(): { call: <T>(fn: () => Promise<T>) => Promise<T>; lastMs: () => number } {
  const now = realClock.now;
  let last = 0;
  return {
    call: async <T>(fn: () => Promise<T>): Promise<T> => {
      const startedAt = now();
      const value = await fn();
      last = now() - startedAt;
      return value;
    },
    lastMs: () => last,
  };
}
