import type { SimulatedClock } from 'xstate';
import type { CircuitBreaker } from '../../../src/index.js';
import type { CountingClock } from '../../support/CountingClock.js';
import { outcome, type Outcome } from '../../support/outcome.js';
import { deferred } from './deferred.js';

/** Any clock a test can move by hand. */
export type ManualClock = SimulatedClock | CountingClock;

/** The error every failing test call rejects with unless told otherwise. */
export class NodeDown extends Error {
  override readonly name = 'NodeDown';
}

/**
 * Runs one call through the breaker that takes `latencyMs` of simulated time, then succeeds (or rejects
 * with `error` when given). Returns the caller's outcome.
 *
 * @example
 * ```ts
 * await timedCall(breaker, clock, 250);                    // a slow success
 * await timedCall(breaker, clock, 5, new NodeDown('503')); // a fast failure
 * ```
 */
export async function timedCall(
  breaker: CircuitBreaker,
  clock: ManualClock,
  latencyMs: number,
  error?: unknown,
): Promise<Outcome<string>> {
  const d = deferred<string>();
  const call = outcome(breaker.execute(() => d.promise));
  clock.increment(latencyMs);
  if (error === undefined) d.resolve('ok');
  else d.reject(error);
  return call;
}

/**
 * Runs `count` calls of `latencyMs` each, one after the other.
 *
 * @example
 * ```ts
 * await timedCalls(breaker, clock, 99, 10);
 * ```
 */
export async function timedCalls(
  breaker: CircuitBreaker,
  clock: ManualClock,
  latencyMs: number,
  count: number,
  error?: unknown,
): Promise<Outcome<string>[]> {
  const outcomes: Outcome<string>[] = [];
  for (let i = 0; i < count; i++) outcomes.push(await timedCall(breaker, clock, latencyMs, error));
  return outcomes;
}

/**
 * Fails `count` calls at once (0 ms each) with a fresh {@link NodeDown}.
 *
 * @example
 * ```ts
 * await failCalls(breaker, 5); // default failureThreshold: now open
 * ```
 */
export async function failCalls(breaker: CircuitBreaker, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await outcome(breaker.execute(() => Promise.reject(new NodeDown(`failure ${i}`))));
  }
}
