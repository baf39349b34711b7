import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { TradingCircuitBreaker, isCircuitOpenError } from '../../src/index.js';
import { MockVenue, type Order } from './MockVenue.js';

const order: Order = { symbol: 'BTC-USD', side: 'buy', qty: 1, price: 100 };

describe('new TradingCircuitBreaker(client, options)', () => {
  it('is the constructor form of createTradingCircuitBreaker: same wrapped client, same breaker, refuses orders while open', async () => {
    const clock = new SimulatedClock();
    const venue = new MockVenue(clock, { degraded: { latencyMs: 50, failEvery: 1 } });
    const trading = new TradingCircuitBreaker(venue, { breaker: { name: 'ctor', clock, random: () => 0.5 } });
    const client: MockVenue = trading.client;
    await expect(client.placeOrder(order)).resolves.toBeDefined();
    trading.breaker.forceOpen({ by: 'test', why: 'constructor form' });
    const sentBefore = venue.count('placeOrder');
    const refused = await client.placeOrder(order).catch((e: unknown) => e);
    expect(isCircuitOpenError(refused)).toBe(true);
    expect(venue.count('placeOrder')).toBe(sentBefore);
    trading.dispose();
  });
});
