import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { BreakerRegistry, createTradingCircuitBreaker, isCircuitOpenError, isConfigError, type CircuitBreaker } from '../../src/index.js';
import { captureLogger } from '../support/captureLogger.js';
import { CountingClock } from '../support/CountingClock.js';
import { flush, MockVenue, VenueRejection } from './MockVenue.js';

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function registry(defaults: ConstructorParameters<typeof BreakerRegistry>[0] = {}) {
  const sim = new SimulatedClock();
  const clock = new CountingClock(sim);
  const logger = captureLogger();
  const reg = new BreakerRegistry({ clock, logger, random: () => 0.5, recoveryTimeoutMs: 1_000, ...defaults });
  cleanup.push(() => reg.dispose());
  return { sim, clock, logger, reg };
}

async function trip(breaker: CircuitBreaker): Promise<void> {
  for (let i = 0; i < 5; i++) await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
  expect(breaker.state).toBe('open');
}

describe('BreakerRegistry', () => {
  it('creates one breaker per key lazily, named by its key, and lists them in creation order', () => {
    const { reg } = registry();
    expect(reg.has('binance')).toBe(false);
    expect(reg.list()).toEqual([]);
    const binance = reg.get('binance');
    expect(binance.name).toBe('binance');
    expect(reg.get('binance')).toBe(binance);
    const kraken = reg.get('kraken', { latencyThresholdMs: 50 });
    expect(reg.has('binance') && reg.has('kraken')).toBe(true);
    expect(reg.list()).toEqual([binance, kraken]);
  });

  it('gives every breaker the one clock: all timers run on the registry clock', async () => {
    const { sim, clock, reg } = registry();
    expect(reg.clock).toBe(clock);
    const a = reg.get('a');
    const b = reg.get('b');
    await trip(a);
    sim.increment(400);
    await trip(b);
    expect(clock.pending).toBe(2); // both backoffs armed on the shared clock
    expect(a.stats().nextAttemptAt).toBe(1_000);
    expect(b.stats().nextAttemptAt).toBe(1_400);
    sim.increment(600);
    expect([a.state, b.state]).toEqual(['halfOpen', 'open']);
  });

  it('applies overrides at creation, merging recovery into the defaults', async () => {
    const { sim, reg } = registry({ recovery: { maxDelayMs: 5_000, jitterFactor: 0 } });
    const breaker = reg.get('venue', { recovery: { multiplier: 3 } });
    await trip(breaker);
    const failProbe = async (): Promise<number> => {
      sim.increment(breaker.stats().nextAttemptAt! - sim.now());
      expect(breaker.state).toBe('halfOpen');
      await breaker.execute(() => Promise.reject(new Error('still down'))).catch(() => {});
      return breaker.stats().nextAttemptAt! - sim.now();
    };
    expect(await failProbe()).toBe(3_000); // 1 000 × 3¹ (override)
    expect(await failProbe()).toBe(5_000); // 9 000 capped by maxDelayMs (default)
  });

  it('warns once when a later get brings different overrides, which are ignored', () => {
    const { reg, logger } = registry();
    const first = reg.get('v', { latencyThresholdMs: 50 });
    expect(reg.get('v', { latencyThresholdMs: 50 })).toBe(first);
    expect(logger.entries.filter((l) => l.level === 'warn')).toHaveLength(0);
    reg.get('v', { latencyThresholdMs: 80 });
    reg.get('v', { latencyThresholdMs: 90 });
    expect(logger.entries.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('refuses overrides that rename the breaker or bring another clock, and invalid defaults', () => {
    const { reg } = registry();
    expect(() => reg.get('v', { name: 'other' })).toThrow(/named by its key/);
    expect(() => reg.get('v', { clock: new SimulatedClock() })).toThrow(/one timer source/);
    expect(reg.has('v')).toBe(false);
    expect(() => reg.get('')).toThrow(TypeError);
    let error: unknown;
    try {
      new BreakerRegistry({ name: 'x', latencyThresholdMs: -1, windowSize: 0 });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as { problems: { option: string }[] }).problems.map((p) => p.option).sort()).toEqual(['latencyThresholdMs', 'name', 'windowSize']);
  });

  it('tells onBreakerCreated listeners about new breakers only, until unsubscribed', () => {
    const { reg } = registry();
    const seen: string[] = [];
    const unsubscribe = reg.onBreakerCreated((b) => seen.push(`${b.name}:${reg.has(b.name)}`));
    reg.get('a');
    reg.get('a');
    reg.get('b');
    unsubscribe();
    reg.get('c');
    expect(seen).toEqual(['a:true', 'b:true']);
  });

  it('contains a listener that throws: logged, the other listeners still run, the breaker is returned', () => {
    const { reg, logger } = registry();
    const seen: string[] = [];
    reg.onBreakerCreated(() => {
      throw new Error('metrics exporter bug');
    });
    reg.onBreakerCreated((b) => seen.push(b.name));
    const breaker = reg.get('a');
    expect(breaker.name).toBe('a');
    expect(seen).toEqual(['a']);
    const line = logger.entries.find((l) => l.level === 'error');
    expect(line?.fields).toMatchObject({ breaker: 'a' });
    expect((line?.fields['err'] as Error).message).toBe('metrics exporter bug');
  });

  it('disposes every breaker and leaves no timer pending; get afterwards throws a clear error', async () => {
    const { clock, reg } = registry();
    const a = reg.get('a');
    const b = reg.get('b');
    await trip(a);
    await trip(b);
    expect(clock.pending).toBe(2);
    let completed = 0;
    a.stateChanges$.subscribe({ complete: () => completed++ });
    b.stateChanges$.subscribe({ complete: () => completed++ });
    reg[Symbol.dispose]();
    reg.dispose();
    expect(clock.pending).toBe(0);
    expect(completed).toBe(2);
    await expect(a.execute(async () => 1)).rejects.toSatisfy(isCircuitOpenError);
    expect(reg.list()).toEqual([]);
    expect(reg.has('a')).toBe(false);
    expect(() => reg.get('a')).toThrow('BreakerRegistry is disposed: cannot get breaker "a"');
  });

  it('forgets a breaker disposed on its own, so its key can be created afresh', async () => {
    const { reg } = registry();
    const first = reg.get('a');
    first.dispose();
    await flush();
    expect(reg.has('a')).toBe(false);
    const second = reg.get('a');
    expect(second).not.toBe(first);
    await expect(second.execute(async () => 2)).resolves.toBe(2);
  });

  it("counts a shared breaker's business rejections from several trading clients as businessRejected", async () => {
    const { sim, reg } = registry({ isFailure: (e) => !(e instanceof Error && e.message === 'ignored') });
    const venueA = new MockVenue(sim);
    const venueB = new MockVenue(sim);
    venueA.marginLimit = 0;
    venueB.marginLimit = 0;
    const isBusinessRejection = (e: unknown): boolean => e instanceof VenueRejection;
    const a = createTradingCircuitBreaker(venueA, { breaker: reg.get('venue'), isBusinessRejection });
    const b = createTradingCircuitBreaker(venueB, { breaker: reg.get('venue'), isBusinessRejection });
    const order = { symbol: 'X', side: 'buy', qty: 1, price: 1 } as const;
    for (let i = 0; i < 10; i++) {
      await expect(a.client.placeOrder(order)).rejects.toBeInstanceOf(VenueRejection);
      await expect(b.client.placeOrder(order)).rejects.toBeInstanceOf(VenueRejection);
    }
    await reg.get('venue').execute(() => Promise.reject(new Error('ignored'))).catch(() => {});
    await reg.get('venue').execute(() => Promise.reject(new Error('down'))).catch(() => {});
    expect(reg.get('venue').stats()).toMatchObject({ state: 'closed', counts: { succeeded: 21, businessRejected: 21, failed: 1 } });
    a.dispose();
    expect(reg.get('venue').state).toBe('closed'); // a shared breaker outlives its clients
  });
});
