import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createTradingCircuitBreaker, isCircuitOpenError } from '../../src/index.js';
import { captureLogger } from '../support/captureLogger.js';
import { flush, MockVenue, type Order } from './MockVenue.js';

const order: Order = { symbol: 'BTC-USD', side: 'buy', qty: 1, price: 100 };

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

/** A wrapped venue in half-open with one probe permit. */
async function halfOpenVenue() {
  const clock = new SimulatedClock();
  const venue = new MockVenue(clock, { degraded: { latencyMs: 1, failEvery: 1 } });
  const logger = captureLogger();
  const trading = createTradingCircuitBreaker(venue, {
    breaker: { name: 'probe', clock, random: () => 0.5, recoveryTimeoutMs: 1_000, halfOpenRequests: 1, halfOpenTimeoutMs: 2_000, logger },
    signalOf: (_operation, args) => (args[1] as { signal?: AbortSignal } | undefined)?.signal,
  });
  cleanup.push(() => trading.dispose());
  venue.phase = 'degraded';
  for (let i = 0; i < 5; i++) await trading.client.placeOrder(order).catch(() => {});
  clock.increment(1_000);
  expect(trading.breaker.state).toBe('halfOpen');
  return { clock, venue, trading, logger };
}

describe('execute(fn, { signal }): cancellation in half-open', () => {
  it('an aborted probe releases its permit and counts as neither success nor failure', async () => {
    const { venue, trading } = await halfOpenVenue();
    venue.phase = 'hung';
    const controller = new AbortController();
    const probe = trading.client.placeOrder(order, { signal: controller.signal });
    const sent = venue.count('placeOrder');
    await expect(trading.client.placeOrder(order)).rejects.toMatchObject({ sent: false, state: 'halfOpen' });
    expect(venue.count('placeOrder')).toBe(sent);

    const before = trading.breaker.stats().counts;
    controller.abort(new Error('trader pulled the order'));
    await expect(probe).rejects.toThrow('trader pulled the order'); // the venue's own answer to the abort
    const after = trading.breaker.stats().counts;
    expect(after.aborted - before.aborted).toBe(1);
    expect(after.succeeded).toBe(before.succeeded);
    expect(after.failed).toBe(before.failed);
    expect(trading.breaker.state).toBe('halfOpen');

    venue.phase = 'fast';
    await expect(trading.client.placeOrder(order)).resolves.toMatchObject({ filledQty: 1 });
    expect(trading.breaker.state).toBe('closed');
  });

  it('frees the permit of an operation that never settles and ignores its signal', async () => {
    const { trading } = await halfOpenVenue();
    const controller = new AbortController();
    void trading.breaker.execute(() => new Promise<never>(() => {}), { signal: controller.signal });
    await expect(trading.breaker.execute(async () => 1)).rejects.toSatisfy(isCircuitOpenError);
    controller.abort();
    await flush();
    await expect(trading.breaker.execute(async () => 1)).resolves.toBe(1);
    expect(trading.breaker.state).toBe('closed');
  });

  it('without a signal, a hung probe holds its permit only until halfOpenTimeoutMs, then reopens', async () => {
    const { clock, venue, trading } = await halfOpenVenue();
    venue.phase = 'hung';
    void trading.client.placeOrder(order).catch(() => {});
    clock.increment(1_999);
    expect(trading.breaker.state).toBe('halfOpen');
    clock.increment(1);
    expect(trading.breaker.state).toBe('open');
    const refusal = await trading.client.placeOrder(order).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ reason: { trigger: 'probe', outcome: 'timeout' } });
  });

  it('never sends a call whose signal is already aborted', async () => {
    const { venue, trading } = await halfOpenVenue();
    const sent = venue.count('placeOrder');
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    await expect(trading.client.placeOrder(order, { signal: controller.signal })).rejects.toThrow('too late');
    expect(venue.count('placeOrder')).toBe(sent);
    expect(trading.breaker.stats().counts.aborted).toBe(1);
  });

  it('goes on without a signal, and logs, when signalOf throws', async () => {
    const clock = new SimulatedClock();
    const logger = captureLogger();
    const venue = new MockVenue(clock);
    const trading = createTradingCircuitBreaker(venue, {
      breaker: { clock, logger },
      signalOf: () => {
        throw new Error('bad extractor');
      },
    });
    cleanup.push(() => trading.dispose());
    await expect(trading.client.placeOrder(order)).resolves.toMatchObject({ filledQty: 1 });
    expect(logger.entries.some((l) => l.level === 'error' && /signalOf threw/.test(l.message ?? ''))).toBe(true);
  });
});
