import type { BreakerState } from './BreakerState.js';

/**
 * A point-in-time view of a breaker, cheap enough to read at every metrics scrape.
 *
 * The fields the product spec lists are enumerable; `name`, `inFlight`, `latencyThresholdMs`,
 * `counts.aborted` and `counts.businessRejected` are readable but non-enumerable (they do not show in
 * `JSON.stringify` or deep equality on the documented shape).
 *
 * Every submitted call ends exactly once as `succeeded`, `failed`, `rejected` or `aborted`;
 * `slow` (completed above the latency threshold) and `businessRejected` (an error `isFailure` did not
 * count, itself also in `succeeded`) are subsets.
 *
 * @example
 * ```ts
 * const { state, p99Ms, counts } = breaker.stats();
 * console.log(state, p99Ms, counts.rejected);
 * ```
 */
export interface BreakerStats {
  /** The breaker's name (non-enumerable). */
  readonly name: string;
  /** The breaker's `latencyThresholdMs`, for dashboards (non-enumerable). */
  readonly latencyThresholdMs: number;
  readonly state: BreakerState;
  /** Exact nearest-rank P99 of the current window in ms, or null when the window is empty. */
  readonly p99Ms: number | null;
  /** Samples in the current window. */
  readonly samples: number;
  /** Failures / samples in the current window (0 when empty). */
  readonly errorRate: number;
  readonly consecutiveFailures: number;
  /** Failed recovery attempts since the last close. */
  readonly attempt: number;
  /** Clock time of the next recovery attempt, or null. */
  readonly nextAttemptAt: number | null;
  /** Calls sent and not yet settled (non-enumerable). */
  readonly inFlight: number;
  readonly counts: CallCounts;
}

/** Lifetime call counts of a breaker. */
export interface CallCounts {
  readonly succeeded: number;
  readonly failed: number;
  readonly rejected: number;
  readonly slow: number;
  /** Calls whose caller aborted them: neither success nor failure (non-enumerable). */
  readonly aborted: number;
  /** Errors `isFailure` did not count, also in `succeeded` (non-enumerable). */
  readonly businessRejected: number;
}
