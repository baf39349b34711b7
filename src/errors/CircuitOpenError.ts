import type { BreakerState } from '../breaker/BreakerState.js';
import type { TransitionReason } from '../breaker/TransitionReason.js';

const brand = Symbol.for('p99-breaker.CircuitOpenError');

/**
 * The breaker refused a call: the operation was **never invoked**, nothing was sent to the venue. Safe to
 * route elsewhere or retry later; an error from the operation itself is never wrapped in this.
 *
 * @example
 * ```ts
 * try {
 *   await breaker.execute(() => venue.placeOrder(order));
 * } catch (e) {
 *   if (isCircuitOpenError(e)) log.warn(`paused, retry in ${e.retryAfterMs} ms (${e.reason.trigger})`);
 *   else throw e;
 * }
 * ```
 */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  /** Always false: a refused call was never sent. */
  readonly sent = false as const;

  constructor(
    /** The breaker's name. */
    readonly breaker: string,
    /** The state that refused the call: `open`, or `halfOpen` when every probe permit is taken. */
    readonly state: BreakerState,
    /** Why the breaker is in that state (the trip rule with its value and threshold, a manual action…). */
    readonly reason: TransitionReason,
    /** Milliseconds until the next recovery attempt, or `null` when none is scheduled (forced open, disposed). */
    readonly retryAfterMs: number | null,
  ) {
    super(
      `Circuit "${breaker}" is ${state} (${reason.trigger}); the call was not sent` +
        (retryAfterMs === null ? '' : `, retry in ${Math.ceil(retryAfterMs)} ms`),
    );
    Object.defineProperty(this, brand, { value: true });
  }
}

/**
 * True when `error` is a {@link CircuitOpenError} from any copy of this package.
 *
 * @example
 * ```ts
 * if (isCircuitOpenError(e)) console.log(e.retryAfterMs, e.reason.trigger);
 * ```
 */
export function isCircuitOpenError(error: unknown): error is CircuitOpenError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[brand] === true;
}
