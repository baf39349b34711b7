import type { LatencyWindow } from './LatencyWindow.js';

/** The thresholds the trip rules compare with. */
export interface TripThresholds {
  readonly failureThreshold: number;
  readonly errorRateThreshold: number;
  readonly minimumSamples: number;
}

/**
 * Would any trip rule hold now? The same three rules as the machine's guards (failure streak; P99 over
 * the threshold once `minimumSamples` are in; failure share ≥ `errorRateThreshold` with at least one
 * failure), answered in O(1) so that the hot path sends the machine nothing unless a guard can pass.
 *
 * @example
 * ```ts
 * if (tripRuleHolds(window, options, 0)) actor.send({ type: 'WINDOW_UPDATED', at, inFlightSlow: 0 });
 * ```
 */
export function tripRuleHolds(window: LatencyWindow, thresholds: TripThresholds, inFlightSlow: number): boolean {
  if (window.consecutiveFailures >= thresholds.failureThreshold) return true;
  const n = window.size;
  if (n >= thresholds.minimumSamples && window.failureCount > 0 && window.errorRate() >= thresholds.errorRateThreshold) return true;
  return window.effectiveSize(inFlightSlow) >= thresholds.minimumSamples && window.p99Exceeded(inFlightSlow);
}
