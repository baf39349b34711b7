import { SimulatedClock } from 'xstate';
import type { Clock } from '../Clock.js';

/**
 * XState's `SimulatedClock`, plus the due time of its earliest pending timer, so a simulation can jump
 * straight to the next event and every timer fires at its exact time (latencies are exact, not rounded to
 * a tick).
 *
 * @example
 * ```ts
 * const clock = new SteppingClock();
 * clock.setTimeout(() => console.log(clock.now()), 15);
 * clock.advanceTo(clock.nextDueAt() ?? 0); // logs 15
 * ```
 */
export class SteppingClock implements Clock {
  readonly #simulated = new SimulatedClock();
  readonly #dues = new Map<number, number>();

  now(): number {
    return this.#simulated.now();
  }

  setTimeout(fn: (...args: unknown[]) => void, ms: number): number {
    const id: number = this.#simulated.setTimeout(() => {
      this.#dues.delete(id);
      fn();
    }, ms);
    this.#dues.set(id, this.now() + ms);
    return id;
  }

  clearTimeout(handle: number): void {
    this.#dues.delete(handle);
    this.#simulated.clearTimeout(handle);
  }

  /** When the earliest pending timer is due, or undefined when none is pending. */
  nextDueAt(): number | undefined {
    let earliest: number | undefined;
    for (const due of this.#dues.values()) if (earliest === undefined || due < earliest) earliest = due;
    return earliest;
  }

  /** Pending timers. */
  get pending(): number {
    return this.#dues.size;
  }

  /** Moves time forward to `time` (never back), firing every timer due by then. */
  advanceTo(time: number): void {
    const step = time - this.now();
    if (step > 0) this.#simulated.increment(step);
  }
}
