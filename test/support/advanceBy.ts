import type { SteppingClock } from '../../src/demo/SteppingClock.js';
import { settle } from './settle.js';

/**
 * Moves a {@link SteppingClock} forward by `ms` one due timer at a time: it stops at each timer's due time,
 * fires it there and lets the promise callbacks it started run (a health check that answers at once)
 * before moving on — what a real clock does, and what a reference model can predict. A bare
 * `SimulatedClock.increment` would instead fire every due timer at the end time of the step.
 *
 * @throws Error when a timer is already overdue (set with a delay of 0 or less outside a flush): the
 *   stepping clock fires timers only by moving time forward, so it would never fire.
 * @example
 * ```ts
 * const clock = new SteppingClock();
 * const breaker = createCircuitBreaker({ clock });
 * await advanceBy(clock, 1_000); // fires the backoff at its due time, then waits for the health check
 * ```
 */
export async function advanceBy(clock: SteppingClock, ms: number): Promise<void> {
  const target = clock.now() + ms;
  for (let guard = 0; ; guard++) {
    if (guard > 10_000) throw new Error('advanceBy: a timer keeps re-arming at the same instant');
    const next = clock.nextDueAt();
    if (next === undefined || next > target) break;
    if (next <= clock.now()) throw new Error(`advanceBy: a timer was due at ${next}, not after now (${clock.now()})`);
    clock.advanceTo(next);
    await settle();
  }
  clock.advanceTo(target);
  await settle();
}
