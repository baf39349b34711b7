import type { Clock } from './Clock.js';

/**
 * Runs `tick` every `periodMs` on `clock` until the returned function is called: one pending timer at a
 * time, re-armed after each run (even one that throws), so a stopped repetition leaves nothing pending.
 *
 * @example
 * ```ts
 * const stop = repeatEvery(clock, 1_000, () => flushDigest());
 * stop(); // no timer pending afterwards
 * ```
 */
export function repeatEvery(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, periodMs: number, tick: () => void): () => void {
  let stopped = false;
  let timer: unknown;
  const run = (): void => {
    timer = undefined;
    try {
      tick();
    } finally {
      if (!stopped) timer = clock.setTimeout(run, periodMs);
    }
  };
  timer = clock.setTimeout(run, periodMs);
  return () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  };
}
