import type { BreakerEnvironment, RecoveryCoordinator } from '../../machines/breakerMachine.js';
import type { ResolvedOptions } from '../config/resolveOptions.js';
import { safeLog } from '../Logger.js';
import type { InFlightTracker } from '../window/InFlightTracker.js';
import type { LatencyWindow } from '../window/LatencyWindow.js';

/**
 * Binds the machine's environment to one breaker: its settings, its clock, a jitter source that can never
 * throw into the machine, its window's exact answers (with overdue in-flight calls), its health check and
 * its fleet coordinator.
 *
 * @example
 * ```ts
 * const machine = createBreakerMachine(machineEnvironment(options, window, inFlight, now, () => coordinator));
 * ```
 */
export function machineEnvironment(
  options: ResolvedOptions,
  window: LatencyWindow,
  inFlight: InFlightTracker,
  now: () => number,
  coordinator: () => RecoveryCoordinator | undefined,
): BreakerEnvironment {
  return {
    settings: options, // the resolved options carry every setting the machine reads, frozen
    now,
    random: () => {
      try {
        return options.random();
      } catch (error) {
        safeLog(options.logger, 'error', { breaker: options.name, err: error }, 'random threw; backoff planned without jitter');
        return 0.5;
      }
    },
    window: {
      consecutiveFailures: () => window.consecutiveFailures,
      samples: (inFlightSlow) => window.effectiveSize(inFlightSlow),
      p99Exceeded: (inFlightSlow) => window.p99Exceeded(inFlightSlow),
      p99Ms: (inFlightSlow) => window.p99Ms(inFlightSlow > 0 ? inFlight.overdueAges(now()) : []) ?? 0,
      completedSamples: () => window.size,
      errorRate: () => window.errorRate(),
    },
    healthCheck: options.healthCheck,
    recoveryCoordinator: coordinator,
  };
}
