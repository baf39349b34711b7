/**
 * Answers whether a node is fit to take live orders again, before the breaker risks a real order on it.
 * The product spec calls it a trait: anything with a `check(signal)` qualifies.
 *
 * `check` resolves `true` when healthy and `false` when not; a rejection counts as unhealthy too. The
 * signal is aborted when the breaker's `healthCheckTimeoutMs` runs out: stop waiting then.
 *
 * @example
 * ```ts
 * const checker: HealthChecker = {
 *   check: async (signal) => (await fetch('http://127.0.0.1:8545/health', { signal })).ok,
 * };
 * const breaker = createCircuitBreaker({ name: 'rpc', healthCheck: toHealthCheck(checker) });
 * ```
 */
export interface HealthChecker {
  check(signal: AbortSignal): Promise<boolean>;
}

/**
 * Adapts a {@link HealthChecker} to the core's `healthCheck` option. A `check` that throws synchronously
 * becomes a rejection, which the breaker counts as unhealthy.
 *
 * @throws TypeError when `checker` has no `check` method.
 * @example
 * ```ts
 * const checker = new PingHealthChecker({ ping: (signal) => node.ping(signal), latencyThresholdMs: 200 });
 * const breaker = createCircuitBreaker({ name: 'rpc', healthCheck: toHealthCheck(checker) });
 * ```
 */
export function toHealthCheck(checker: HealthChecker): (signal: AbortSignal) => Promise<boolean> {
  if (typeof checker !== 'object' || checker === null || typeof checker.check !== 'function') {
    throw new TypeError(`toHealthCheck expects an object with a check(signal) method, got ${typeof checker}`);
  }
  return async (signal) => checker.check(signal);
}

export { PingHealthChecker, type PingHealthCheckerOptions, type PingResult } from './PingHealthChecker.js';
