import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type StateChange } from '../../../src/index.js';
import { captureLogger, type CaptureLogger } from '../../support/captureLogger.js';
import type { ManualClock } from './calls.js';

/** A breaker on a simulated clock, with every state change and log line recorded. */
export interface Harness {
  readonly clock: ManualClock;
  readonly breaker: CircuitBreaker;
  readonly changes: StateChange[];
  readonly logger: CaptureLogger;
}

/**
 * Creates a breaker driven by a `SimulatedClock` (or the clock given), with `random = () => 0.5` (no
 * jitter) unless told otherwise, a capturing logger, and a recorder of its state changes.
 *
 * @example
 * ```ts
 * const { breaker, clock, changes } = harness({ failureThreshold: 3 });
 * ```
 */
export function harness(options: Omit<CircuitBreakerOptions, 'clock'> & { clock?: ManualClock } = {}): Harness {
  const clock = options.clock ?? new SimulatedClock();
  const logger = captureLogger();
  const breaker = createCircuitBreaker({ name: 'venue', random: () => 0.5, logger, ...options, clock });
  const changes: StateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));
  return { clock, breaker, changes, logger };
}
