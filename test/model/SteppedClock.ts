import { SimulatedClock } from 'xstate';
import type { Clock } from '../../src/Clock.js';

/**
 * XState's `SimulatedClock`, moved forward one due timer at a time: `advanceBy(ms)` stops at each timer's
 * due time, fires it there and lets the promise callbacks it started run (a health check that answers at
 * once) before moving on — what a real clock does, and what a reference model can predict. A bare
 * `SimulatedClock.increment` would instead fire every due timer at the end time of the step.
 *
 * @example
 * ```ts
 * const clock = new SteppedClock();
 * const breaker = createCircuitBreaker({ clock });
 * await clock.advanceBy(1_000); // fires the backoff at its due time, then waits for the health check
 * ```
 */
export class SteppedClock implements Clock {
  readonly inner = new SimulatedClock();
  readonly #due = new Map<unknown, number>();

  now = (): number => this.inner.now();

  setTimeout = (fn: (...args: unknown[]) => void, ms: number): unknown => {
    let handle: unknown;
    handle = this.inner.setTimeout(() => {
      this.#due.delete(handle);
      fn();
    }, ms);
    this.#due.set(handle, this.inner.now() + ms);
    return handle;
  };

  clearTimeout = (handle: unknown): void => {
    this.#due.delete(handle);
    this.inner.clearTimeout(handle as number);
  };

  /** Timers set and neither fired nor cleared. */
  get pending(): number {
    return this.#due.size;
  }

  /** Moves time forward by `ms`, firing each due timer at its own due time, and settles promise callbacks. */
  async advanceBy(ms: number): Promise<void> {
    const target = this.inner.now() + ms;
    for (let guard = 0; ; guard++) {
      if (guard > 10_000) throw new Error('SteppedClock: a timer keeps re-arming at the same instant');
      let next = Infinity;
      for (const due of this.#due.values()) next = Math.min(next, due);
      if (next > target) break;
      this.inner.set(Math.max(next, this.inner.now()));
      await settle();
    }
    if (target > this.inner.now()) this.inner.set(target);
    await settle();
  }
}

/** One macrotask turn: every pending promise callback runs, simulated time does not move. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
