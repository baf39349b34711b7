import { SimulatedClock } from 'xstate';
import type { Clock } from '../../../src/index.js';

/**
 * XState's `SimulatedClock`, counting the timeouts still pending (set and neither fired nor cleared), so a
 * test can assert that a disposed breaker left nothing behind.
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
  readonly inner = new SimulatedClock();
  readonly #pending = new Set<unknown>();
  /** Every timeout ever set, for assertions on how many timers a scenario needed. */
  setCount = 0;

  now(): number {
    return this.inner.now();
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown {
    this.setCount++;
    let handle: unknown;
    handle = this.inner.setTimeout(() => {
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
