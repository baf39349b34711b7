import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker } from '../src/index.js';

describe('smoke', () => {
  it('opens after 5 consecutive failures', async () => {
    const clock = new SimulatedClock();
    const b = createCircuitBreaker({ clock, random: () => 0.5 });
    for (let i = 0; i < 5; i++) await b.execute(() => Promise.reject(new Error('x'))).catch(() => {});
    expect(b.state).toBe('open');
    b.dispose();
  });
});
