import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker } from '../src/index.js';

describe('an operation that is not a function', () => {
  it('is rejected with a TypeError naming the method, and never counted as a call', async () => {
    const breaker = createCircuitBreaker({ clock: new SimulatedClock(), failureThreshold: 1, logger: { info() {}, warn() {}, error() {} } });
    for (const method of ['execute', 'tryExecute', 'executeUnguarded'] as const) {
      const error = await (breaker[method] as (op: unknown) => Promise<unknown>)('placeOrder').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((error as Error).message).toBe(`${method} expects the operation as a function, got string`);
    }
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().counts).toEqual({ succeeded: 0, failed: 0, rejected: 0, slow: 0 });
    breaker.dispose();
  });
});
