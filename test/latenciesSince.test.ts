import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, LatencyWindow } from '../src/index.js';

describe('reading new latencies off the call path (latenciesSince)', () => {
  it('returns exactly the samples recorded after the cursor that the window still holds, and counts the rest as skipped', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 60 }), fc.constant(-1 as const), fc.constant(-2 as const)), { maxLength: 300 }),
        (capacity, script) => {
          // Oracle: every sample ever recorded, plus what a reset threw away.
          const window = new LatencyWindow(capacity, 200);
          const all: number[] = [];
          let held: number[] = [];
          let cursor = 0;
          let read = 0;
          for (const step of script) {
            if (step === -1) {
              // a reader takes what is new
              const { latenciesMs, recorded, skipped } = window.latenciesSince(cursor);
              const fresh = all.slice(cursor);
              const stillHeld = held.slice(Math.max(0, held.length - fresh.length));
              expect(latenciesMs).toEqual(stillHeld.length <= fresh.length ? fresh.slice(fresh.length - stillHeld.length) : fresh);
              expect(latenciesMs.length + skipped).toBe(fresh.length);
              expect(recorded).toBe(all.length);
              read += latenciesMs.length + skipped;
              cursor = recorded;
            } else if (step === -2) {
              window.reset();
              held = [];
            } else {
              window.record(step, false);
              all.push(step);
              held = [...held, step].slice(-capacity);
            }
          }
          expect(read).toBeLessThanOrEqual(all.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('lets a breaker feed a summary on a timer with nothing added to each call', async () => {
    const clock = new SimulatedClock();
    const breaker = createCircuitBreaker({ clock, windowSize: 4 });
    const latencies = [5, 7, 9, 11, 13, 15];
    for (const ms of latencies.slice(0, 3)) await breaker.execute(async () => clock.increment(ms));
    const first = breaker.latenciesSince(0);
    expect(first).toEqual({ latenciesMs: [5, 7, 9], cursor: 3, skipped: 0 });
    for (const ms of latencies.slice(3)) await breaker.execute(async () => clock.increment(ms));
    expect(breaker.latenciesSince(first.cursor)).toEqual({ latenciesMs: [11, 13, 15], cursor: 6, skipped: 0 });
    expect(breaker.latenciesSince(0)).toEqual({ latenciesMs: [9, 11, 13, 15], cursor: 6, skipped: 2 });
    breaker.dispose();
    expect(breaker.latenciesSince(6)).toEqual({ latenciesMs: [], cursor: 6, skipped: 0 });
  });
});
