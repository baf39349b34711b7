import type { CallCounts } from './BreakerStats.js';
import { withHidden } from './withHidden.js';

/**
 * Lifetime call counts of one breaker. Every submitted call lands exactly once in `succeeded`, `failed`,
 * `rejected` or `aborted`; `slow` and `businessRejected` are subsets.
 *
 * @example
 * ```ts
 * const tally = new CallTally(200);
 * tally.completed(350, false, false);
 * tally.counts(); // { succeeded: 1, failed: 0, rejected: 0, slow: 1 }
 * ```
 */
export class CallTally {
  succeeded = 0;
  failed = 0;
  rejected = 0;
  aborted = 0;
  slow = 0;
  businessRejected = 0;

  /** @param thresholdMs - a completed call strictly slower than this counts as slow. */
  constructor(private readonly thresholdMs: number) {}

  /** Counts a call that was sent and settled; `threw && !failed` is a business rejection. */
  completed(latencyMs: number, threw: boolean, failed: boolean): void {
    if (failed) this.failed++;
    else this.succeeded++;
    if (threw && !failed) this.businessRejected++;
    if (latencyMs > this.thresholdMs) this.slow++;
  }

  /** The counts: the documented four enumerable, `aborted` and `businessRejected` non-enumerable. */
  counts(): CallCounts {
    return withHidden(
      { succeeded: this.succeeded, failed: this.failed, rejected: this.rejected, slow: this.slow },
      { aborted: this.aborted, businessRejected: this.businessRejected },
    );
  }
}
