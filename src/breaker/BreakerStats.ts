import type { BreakerState } from './BreakerState.js';

/**
 * A point-in-time view of a breaker, cheap enough to read at every metrics scrape.
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
  readonly name: string;
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
  /** Calls sent and not yet settled. */
  readonly inFlight: number;
  readonly counts: CallCounts;
}

/** Lifetime call counts of a breaker. */
export interface CallCounts {
  readonly succeeded: number;
  readonly failed: number;
  readonly rejected: number;
  readonly aborted: number;
  readonly slow: number;
  readonly businessRejected: number;
}
