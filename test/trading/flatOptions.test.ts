import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createTradingCircuitBreaker, isConfigError, TradingCircuitBreaker } from '../../src/index.js';
import { MockVenue } from './MockVenue.js';

describe('trading options', () => {
  it('accepts the core breaker options at the top level as well as in `breaker`', () => {
    const clock = new SimulatedClock();
    const venue = new MockVenue(clock, {});
    const trading = createTradingCircuitBreaker(venue, { name: 'flat', clock, latencyThresholdMs: 150 });
    expect(trading.breaker.name).toBe('flat');
    expect(trading.breaker.stats().latencyThresholdMs).toBe(150);
    trading.dispose();
  });

  it('refuses breaker options given both flat and in `breaker`, naming the flat one', () => {
    const venue = new MockVenue(new SimulatedClock(), {});
    let error: unknown;
    try {
      createTradingCircuitBreaker(venue, { name: 'a', breaker: { name: 'b' } });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as { problems: Array<{ option: string }> }).problems.map((p) => p.option)).toEqual(['name']);
  });

  it('makes `new TradingCircuitBreaker(…)` an instance of TradingCircuitBreaker', () => {
    const venue = new MockVenue(new SimulatedClock(), {});
    const trading = new TradingCircuitBreaker(venue, { name: 'ctor' });
    expect(trading).toBeInstanceOf(TradingCircuitBreaker);
    trading.dispose();
  });
});
