import { SimulatedClock } from 'xstate';
import type { Clock } from '../../src/index.js';

/**
 * XState's `SimulatedClock` (a new one, or one shared with other test doubles), counting the timeouts still
 * pending (set and neither fired nor cleared), so a test can assert that a disposed breaker left nothing
 * behind. `nowOverride` stands in for a broken clock (NaN, a step back).
 *
 * @example
 * ```ts
 * const clock = new CountingClock();
 * const breaker = createCircuitBreaker({ clock });
 * breaker.dispose();
 * expect(clock.pending).toBe(0);
 * ```
 */
export class CountingClock implements Clock {
  readonly #pending = new Set<unknown>();
  /** Every timeout ever set, for assertions on how many timers a scenario needed. */
  setCount = 0;
  /** Replaces `now()` to simulate a broken clock; `undefined` restores the simulated time. */
  nowOverride: (() => number) | undefined;

  /** @param inner the simulated clock to count on; pass one to share its time with other test doubles. */
  constructor(readonly inner: SimulatedClock = new SimulatedClock()) {}

  now(): number {
    return this.nowOverride === undefined ? this.inner.now() : this.nowOverride();
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown {
    this.setCount++;
    const handle: unknown = this.inner.setTimeout(() => {
      this.#pending.delete(handle);
      fn();
    }, ms);
    this.#pending.add(handle);
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle);
    this.inner.clearTimeout(handle as number);
  }

  /** Timeouts set and neither fired nor cleared. */
  get pending(): number {
    return this.#pending.size;
  }

  increment(ms: number): void {
    this.inner.increment(ms);
  }

  set(time: number): void {
    this.inner.set(time);
  }
}
