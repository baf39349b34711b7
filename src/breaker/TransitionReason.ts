/**
 * Why the breaker changed state: a discriminated union on `trigger`, carrying the measured value and the
 * threshold it was compared with, so a log line or an alert can say exactly what happened.
 *
 * @example
 * ```ts
 * breaker.onStateChange(({ reason }) => {
 *   if (reason.trigger === 'p99') console.warn(`P99 ${reason.valueMs} ms > ${reason.thresholdMs} ms`);
 * });
 * ```
 */
export type TransitionReason =
  /** Nearest-rank P99 of the window (with overdue in-flight calls counted as slow) exceeded the threshold. */
  | {
      readonly trigger: 'p99';
      readonly valueMs: number;
      readonly thresholdMs: number;
      /** Same as `valueMs`, so every trip reason has `value` and `threshold`. */
      readonly value: number;
      /** Same as `thresholdMs`. */
      readonly threshold: number;
      readonly samples: number;
      readonly inFlightSlow: number;
    }
  /** `failureThreshold` calls failed in a row. */
  | { readonly trigger: 'consecutiveFailures'; readonly value: number; readonly threshold: number }
  /** The failure share of the window reached `errorRateThreshold`. */
  | { readonly trigger: 'errorRate'; readonly value: number; readonly threshold: number; readonly samples: number }
  /** The backoff delay ended: recovery starts (health check or half-open). */
  | { readonly trigger: 'recoveryDue'; readonly attempt: number }
  /** The health check answered healthy (`to: 'halfOpen'`) or not (`to: 'open'`). */
  | { readonly trigger: 'healthCheck'; readonly outcome: 'healthy' | 'unhealthy' | 'timeout' | 'error'; readonly timeoutMs?: number; readonly error?: string }
  /** A half-open probe succeeded within the threshold (closes) or failed, was slow, or timed out (reopens). */
  | { readonly trigger: 'probe'; readonly outcome: 'succeeded' | 'failed' | 'slow' | 'timeout'; readonly valueMs: number; readonly thresholdMs: number }
  /** A person or program used a manual control (`forceOpen`, `forceClose`, `disable`, `reset`). */
  | { readonly trigger: 'manual'; readonly action: ManualAction; readonly by: string; readonly why: string }
  /** Another instance of the fleet reported this state. */
  | { readonly trigger: 'fleet'; readonly instance: string; readonly until: number | null; readonly cause: TransitionReason | null }
  /** The breaker resumed from a persisted snapshot. */
  | { readonly trigger: 'restored'; readonly from: string }
  /** The breaker was created (initial state, no transition yet). */
  | { readonly trigger: 'created' }
  /** The breaker was disposed: it refuses every call. */
  | { readonly trigger: 'disposed' };

/** The manual controls a desk has. */
export type ManualAction = 'forceOpen' | 'forceClose' | 'disable' | 'reset';

/** The `trigger` names of {@link TransitionReason}. */
export type TransitionTrigger = TransitionReason['trigger'];
