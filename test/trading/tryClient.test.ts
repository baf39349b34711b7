import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createTradingCircuitBreaker, type TryResult } from '../../src/index.js';
import { captureLogger } from '../support/captureLogger.js';
import { MockVenue, VenueRejection, VenueUnavailable, type Fill, type Order } from './MockVenue.js';

const order: Order = { symbol: 'BTC-USD', side: 'buy', qty: 1, price: 100 };

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

async function openVenue() {
  const clock = new SimulatedClock();
  const venue = new MockVenue(clock, { degraded: { latencyMs: 1, failEvery: 1 } });
  const trading = createTradingCircuitBreaker(venue, {
    breaker: { name: 'hot', clock, random: () => 0.5, recoveryTimeoutMs: 1_000, logger: captureLogger() },
    isBusinessRejection: (e) => e instanceof VenueRejection,
  });
  cleanup.push(() => trading.dispose());
  venue.phase = 'degraded';
  for (let i = 0; i < 5; i++) await trading.client.placeOrder(order).catch(() => {});
  venue.phase = 'fast';
  expect(trading.breaker.state).toBe('open');
  return { clock, venue, trading };
}

describe('tryClient and tryExecute: refusals as results for hot loops', () => {
  it('returns 10 000 refusals in a hot loop without throwing, and sends nothing', async () => {
    const { clock, venue, trading } = await openVenue();
    const sentBefore = venue.calls.length;
    const rejectedBefore = trading.breaker.stats().counts.rejected;
    let refused = 0;
    let first: TryResult<Fill> | undefined;
    for (let i = 0; i < 10_000; i++) {
      const result = await trading.tryClient.placeOrder(order); // no try/catch: a throw would fail the test
      first ??= result;
      if (!result.ok) refused++;
    }
    expect(refused).toBe(10_000);
    expect(first).toEqual({ ok: false, retryAfterMs: 1_000, reason: { trigger: 'consecutiveFailures', value: 5, threshold: 5 } });
    expect(first).not.toHaveProperty('state');
    expect(trading.breaker.state).toBe('open');
    expect(venue.calls.length).toBe(sentBefore);
    expect(trading.breaker.stats().counts.rejected - rejectedBefore).toBe(10_000);
    clock.increment(400);
    await expect(trading.tryClient.getQuote('BTC-USD')).resolves.toMatchObject({ ok: false, retryAfterMs: 600 });
  });

  it('breaker.tryExecute does the same for a call written by hand', async () => {
    const { venue, trading } = await openVenue();
    let refused = 0;
    for (let i = 0; i < 10_000; i++) {
      const result = await trading.breaker.tryExecute(() => venue.placeOrder(order));
      if (!result.ok) refused++;
    }
    expect(refused).toBe(10_000);
    expect(venue.count('placeOrder')).toBe(5);
  });

  it("returns { ok: true, value } when admitted, and still rejects with the operation's own error", async () => {
    const clock = new SimulatedClock();
    const venue = new MockVenue(clock, { degraded: { latencyMs: 1, failEvery: 1 } });
    const trading = createTradingCircuitBreaker(venue, { breaker: { clock, logger: captureLogger() }, isBusinessRejection: (e) => e instanceof VenueRejection });
    cleanup.push(() => trading.dispose());
    await expect(trading.tryClient.placeOrder(order)).resolves.toEqual({ ok: true, value: { orderId: 'o-1', filledQty: 1 } });
    venue.marginLimit = 0;
    await expect(trading.tryClient.placeOrder(order)).rejects.toBeInstanceOf(VenueRejection);
    venue.phase = 'degraded';
    await expect(trading.tryClient.getQuote('X')).rejects.toBeInstanceOf(VenueUnavailable);
    expect(trading.breaker.stats().counts).toMatchObject({ succeeded: 2, businessRejected: 1, failed: 1 });
  });

  it('sends a bypass operation while open and returns it as a result', async () => {
    const { venue, trading } = await openVenue();
    await expect(trading.tryClient.cancelOrder('o-unknown')).rejects.toBeInstanceOf(VenueRejection);
    const fill = await venue.placeOrder(order); // straight to the venue, to have something to cancel
    await expect(trading.tryClient.cancelOrder(fill.orderId)).resolves.toEqual({ ok: true, value: { orderId: fill.orderId, cancelled: true } });
    expect(trading.breaker.state).toBe('open');
  });

  it('exposes only operations: non-function properties are absent', () => {
    const clock = new SimulatedClock();
    const trading = createTradingCircuitBreaker(new MockVenue(clock), { breaker: { clock } });
    cleanup.push(() => trading.dispose());
    expect('placeOrder' in trading.tryClient).toBe(true);
    expect('venueName' in trading.tryClient).toBe(false);
    expect((trading.tryClient as Record<string, unknown>)['venueName']).toBeUndefined();
  });
});
