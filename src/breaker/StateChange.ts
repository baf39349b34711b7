import type { BreakerState } from './BreakerState.js';
import type { TransitionReason } from './TransitionReason.js';

/**
 * One transition of the breaker, as given to `onStateChange` listeners and `stateChanges$`. A stay in open
 * that is re-planned (a failed health check, a fleet deadline) is reported too, as `open → open`.
 *
 * @example
 * ```ts
 * breaker.onStateChange((c: StateChange) => log.info(c, `${c.from} → ${c.to} (${c.reason.trigger})`));
 * ```
 */
export interface StateChange {
  /** The breaker's name (non-enumerable: the documented shape is the six fields below). */
  readonly breaker: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  /** The rule or action behind it, with value and threshold. */
  readonly reason: TransitionReason;
  /** Clock time of the transition, in ms. */
  readonly at: number;
  /** Failed recovery attempts since the last close (k of the backoff). */
  readonly attempt: number;
  /** Clock time of the next recovery attempt, or null when none is scheduled. */
  readonly nextAttemptAt: number | null;
}
