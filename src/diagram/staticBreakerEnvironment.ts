import type { BreakerEnvironment } from '../../machines/breakerMachine.js';
import { DEFAULTS } from '../config/resolveOptions.js';

/**
 * A breaker environment that is never run: the default settings, a frozen clock, an empty window, no
 * health check and no fleet. `createBreakerMachine(staticBreakerEnvironment)` builds the statechart's
 * definition so that `npm run diagram` can draw it; guards, delays and actions are read by name only.
 *
 * @example
 * ```ts
 * const machine = createBreakerMachine(staticBreakerEnvironment);
 * machine.id; // 'circuitBreaker'
 * ```
 */
export const staticBreakerEnvironment: BreakerEnvironment = Object.freeze({
  settings: Object.freeze({
    failureThreshold: DEFAULTS.failureThreshold,
    latencyThresholdMs: DEFAULTS.latencyThresholdMs,
    errorRateThreshold: DEFAULTS.errorRateThreshold,
    minimumSamples: DEFAULTS.minimumSamples,
    halfOpenTimeoutMs: DEFAULTS.halfOpenTimeoutMs,
    healthCheckTimeoutMs: DEFAULTS.healthCheckTimeoutMs,
    recovery: Object.freeze({ recoveryTimeoutMs: DEFAULTS.recoveryTimeoutMs, ...DEFAULTS.recovery }),
  }),
  now: () => 0,
  random: () => 0.5,
  window: Object.freeze({
    consecutiveFailures: () => 0,
    samples: () => 0,
    p99Exceeded: () => false,
    p99Ms: () => 0,
    completedSamples: () => 0,
    errorRate: () => 0,
  }),
  healthCheck: undefined,
  recoveryCoordinator: () => undefined,
});
