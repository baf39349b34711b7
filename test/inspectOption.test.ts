import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, isConfigError } from '../src/index.js';

const quiet = { info() {}, warn() {}, error() {} };

describe('the inspect option', () => {
  it('takes a function, an observer, or an inspector object whose `inspect` it uses', async () => {
    const seen: string[] = [];
    const fn = (e: { type: string }) => seen.push(`fn:${e.type}`);
    const observer = { next: (e: { type: string }) => seen.push(`observer:${e.type}`) };
    const inspector = { inspect: { next: (e: { type: string }) => seen.push(`inspector:${e.type}`) }, stop() {} };
    for (const inspect of [fn, observer, inspector]) {
      const breaker = createCircuitBreaker({ clock: new SimulatedClock(), logger: quiet, inspect });
      breaker.forceOpen({ by: 'test', why: 'inspect' });
      breaker.dispose();
    }
    for (const prefix of ['fn', 'observer', 'inspector']) expect(seen).toContain(`${prefix}:@xstate.event`);
  });

  it('refuses something that is no inspector, naming the option', () => {
    let error: unknown;
    try {
      createCircuitBreaker({ inspect: 42 as never });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as { problems: Array<{ option: string }> }).problems[0]?.option).toBe('inspect');
  });
});
