import { describe, expect, it } from 'vitest';
import { repeatEvery } from '../src/repeatEvery.js';
import { CountingClock } from './support/CountingClock.js';

describe('repeatEvery', () => {
  it('runs every period, keeps going after a tick that throws, and leaves nothing pending once stopped', () => {
    const clock = new CountingClock();
    let runs = 0;
    const stop = repeatEvery(clock, 100, () => {
      runs++;
      if (runs === 3) throw new Error('tick failed');
    });
    clock.increment(100);
    clock.increment(100);
    expect(runs).toBe(2);
    expect(() => clock.increment(100)).toThrow('tick failed');
    expect(runs).toBe(3);
    // Re-armed despite the throw. (SimulatedClock stops flushing after a callback throws, so the rest of the
    // repetition is checked through the pending timer rather than by advancing further.)
    expect(clock.pending).toBe(1);
    stop();
    expect(clock.pending).toBe(0);
  });
});
