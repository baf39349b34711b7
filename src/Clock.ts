/**
 * The one source of time for a breaker: it measures latency and arms the machine's delays.
 *
 * XState's `SimulatedClock` satisfies it, so tests drive time by hand.
 *
 * @example
 * ```ts
 * import { SimulatedClock } from 'xstate';
 * const clock: Clock = new SimulatedClock();
 * const breaker = createCircuitBreaker({ name: 'venue', clock });
 * ```
 */
export interface Clock {
  /** Milliseconds on a monotonic scale; only differences are used. */
  now(): number;
  /** Schedules `fn` after `ms` milliseconds and returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: (...args: unknown[]) => void, ms: number): unknown;
  /** Cancels a pending timeout; unknown handles are ignored. */
  clearTimeout(handle: any): void;
}

const timeOrigin = performance.timeOrigin;

/**
 * The real clock: `performance.timeOrigin + performance.now()` for time (monotonic within a process and
 * anchored to the Unix epoch, so deadlines survive a restart and travel between processes), the host's
 * timers for delays.
 *
 * Timers are `unref`'d where the host supports it, so a breaker never keeps a process alive.
 *
 * @example
 * ```ts
 * const start = realClock.now();
 * ```
 */
export const realClock: Clock = Object.freeze({
  now: () => timeOrigin + performance.now(),
  setTimeout: (fn: (...args: unknown[]) => void, ms: number): unknown => {
    const handle = setTimeout(fn, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle: unknown): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
});

/**
 * The default source of randomness for jitter: `Math.random`.
 *
 * @example
 * ```ts
 * const u = defaultRandom(); // in [0, 1)
 * ```
 */
export const defaultRandom = (): number => Math.random();
