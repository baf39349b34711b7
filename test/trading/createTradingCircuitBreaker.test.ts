import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  createCircuitBreaker,
  createTradingCircuitBreaker,
  isCircuitOpenError,
  isConfigError,
  type CircuitBreakerOptions,
  type TradingCircuitBreaker,
} from '../../src/index.js';
import { captureLogger } from '../support/captureLogger.js';
import { CountingClock } from '../support/CountingClock.js';
import { flush, MockVenue, VenueRejection, VenueUnavailable, type Order } from './MockVenue.js';

const order: Order = { symbol: 'BTC-USD', side: 'buy', qty: 1, price: 100 };
const isVenueRejection = (error: unknown): boolean => error instanceof VenueRejection;

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function setup(options: { breaker?: CircuitBreakerOptions; business?: boolean; venue?: ConstructorParameters<typeof MockVenue>[1] } = {}) {
  const clock = new SimulatedClock();
  const venue = new MockVenue(clock, { degraded: { latencyMs: 50, failEvery: 1 }, ...options.venue });
  const logger = captureLogger();
  const trading = createTradingCircuitBreaker(venue, {
    breaker: { name: 'mock', clock, random: () => 0.5, windowSize: 100, minimumSamples: 20, recoveryTimeoutMs: 1_000, logger, ...options.breaker },
    ...(options.business === false ? {} : { isBusinessRejection: isVenueRejection }),
  });
  cleanup.push(() => trading.dispose());
  return { clock, venue, logger, trading, client: trading.client };
}

/** Five node failures in a row: the default failure streak opens the circuit. */
async function trip(venue: MockVenue, trading: TradingCircuitBreaker<MockVenue>): Promise<void> {
  venue.phase = 'degraded';
  for (let i = 0; i < 5; i++) await expect(trading.client.placeOrder(order)).rejects.toBeInstanceOf(VenueUnavailable);
  expect(trading.breaker.state).toBe('open');
  venue.phase = 'fast';
}

describe('createTradingCircuitBreaker: the wrapped client', () => {
  it('passes non-function properties through, reads and writes, and keeps the prototype', () => {
    const { venue, client } = setup();
    expect(client.venueName).toBe('MOCK-X');
    expect(client).toBeInstanceOf(MockVenue);
    client.phase = 'degraded';
    expect(venue.phase).toBe('degraded');
    venue.marginLimit = 5;
    expect(client.marginLimit).toBe(5);
    expect('placeOrder' in client).toBe(true);
    expect(Object.keys(client)).toEqual(Object.keys(venue));
  });

  it('runs methods with the original client as `this`, even when destructured (private fields work)', async () => {
    const { venue, client } = setup();
    const { placeOrder, getQuote } = client;
    await expect(placeOrder(order)).resolves.toEqual({ orderId: 'o-1', filledQty: 1 });
    await expect(getQuote.call(undefined, 'ETH-USD')).resolves.toMatchObject({ symbol: 'ETH-USD' });
    expect(venue.count('placeOrder')).toBe(1);
    expect(client.placeOrder).toBe(client.placeOrder); // one wrapper per method, not one per read
  });

  it('wraps a frozen plain-object client', async () => {
    const clock = new SimulatedClock();
    const frozen = Object.freeze({ region: 'eu', quote: async (s: string) => `${s}@${clock.now()}` });
    const trading = createTradingCircuitBreaker(frozen, { breaker: { clock } });
    cleanup.push(() => trading.dispose());
    expect(trading.client.region).toBe('eu');
    await expect(trading.client.quote('X')).resolves.toBe('X@0');
    expect(trading.breaker.stats().counts.succeeded).toBe(1);
  });

  it("passes an operation's own error through untouched (the same object)", async () => {
    const clock = new SimulatedClock();
    const own = new Error('venue 503');
    const trading = createTradingCircuitBreaker({ placeOrder: async () => Promise.reject(own) }, { breaker: { clock } });
    cleanup.push(() => trading.dispose());
    await expect(trading.client.placeOrder()).rejects.toBe(own);
    expect(trading.breaker.stats().counts.failed).toBe(1);
  });

  it("leaves 'direct' operations to the client: not measured, synchronous results stay synchronous", async () => {
    const clock = new SimulatedClock();
    const client = { format: (o: Order) => `${o.side} ${o.qty} ${o.symbol}`, place: async (o: Order) => o.qty };
    const trading = createTradingCircuitBreaker(client, { breaker: { clock }, operations: { format: 'direct' } });
    cleanup.push(() => trading.dispose());
    expect(trading.client.format(order)).toBe('buy 1 BTC-USD');
    await trading.client.place(order);
    expect(trading.breaker.stats().counts.succeeded).toBe(1);
  });

  it('warns once when a guarded operation returns a non-promise', async () => {
    const clock = new SimulatedClock();
    const logger = captureLogger();
    const client = { sync: (n: number) => n * 2 };
    const trading = createTradingCircuitBreaker(client, { breaker: { clock, logger } });
    cleanup.push(() => trading.dispose());
    await expect(trading.client.sync(2) as unknown as Promise<number>).resolves.toBe(4);
    await (trading.client.sync(3) as unknown as Promise<number>);
    expect(logger.entries.filter((l) => l.level === 'warn' && l.fields['operation'] === 'sync')).toHaveLength(1);
  });
});

describe('createTradingCircuitBreaker: order safety', () => {
  it('refuses orders while open: CircuitOpenError with sent: false, and the venue never sees them', async () => {
    const { venue, trading, client } = setup();
    await trip(venue, trading);
    const before = venue.count('placeOrder');
    const refusal = await client.placeOrder(order).catch((e: unknown) => e);
    expect(isCircuitOpenError(refusal)).toBe(true);
    expect(refusal).toMatchObject({ sent: false, state: 'open', retryAfterMs: 1_000, reason: { trigger: 'consecutiveFailures' } });
    await expect(client.getQuote('BTC-USD')).rejects.toSatisfy(isCircuitOpenError);
    expect(venue.count('placeOrder')).toBe(before);
    expect(venue.count('getQuote')).toBe(0);
    expect(trading.breaker.stats().counts.rejected).toBe(2);
  });

  it('still sends cancels while open and records them in the counts, without closing the circuit', async () => {
    const { venue, trading, client, logger } = setup();
    const fill = await client.placeOrder(order);
    await trip(venue, trading);
    const before = trading.breaker.stats().counts;
    await expect(client.cancelOrder(fill.orderId)).resolves.toEqual({ orderId: fill.orderId, cancelled: true });
    await expect(client.cancelOrder('o-unknown')).rejects.toBeInstanceOf(VenueRejection);
    venue.phase = 'degraded';
    await expect(client.cancelOrder('o-any')).rejects.toBeInstanceOf(VenueUnavailable);
    const after = trading.breaker.stats().counts;
    expect(venue.count('cancelOrder')).toBe(3);
    expect(after.succeeded - before.succeeded).toBe(2); // the cancel and the business rejection
    expect(after.businessRejected - before.businessRejected).toBe(1);
    expect(after.failed - before.failed).toBe(1);
    expect(after.rejected).toBe(before.rejected);
    expect(trading.breaker.state).toBe('open');
    const bypassLines = logger.entries.filter((l) => l.fields['event'] === 'bypass');
    expect(bypassLines).toHaveLength(3);
    expect(bypassLines[0]!.fields).toMatchObject({ operation: 'cancelOrder', state: 'open', breaker: 'mock' });
  });

  it("refuses cancels too when the policy says 'guard'", async () => {
    const clock = new SimulatedClock();
    const venue = new MockVenue(clock, { degraded: { latencyMs: 1, failEvery: 1 } });
    const trading = createTradingCircuitBreaker(venue, { breaker: { clock, logger: captureLogger() }, operations: { cancelOrder: 'guard' } });
    cleanup.push(() => trading.dispose());
    await trip(venue, trading);
    await expect(trading.client.cancelOrder('o-1')).rejects.toSatisfy(isCircuitOpenError);
    expect(venue.count('cancelOrder')).toBe(0);
  });

  it('never trips on business rejections (rethrown untouched), however many', async () => {
    const { venue, trading, client } = setup();
    venue.marginLimit = 0;
    for (let i = 0; i < 200; i++) await expect(client.placeOrder(order)).rejects.toBeInstanceOf(VenueRejection);
    expect(trading.breaker.state).toBe('closed');
    expect(trading.breaker.stats()).toMatchObject({ errorRate: 0, consecutiveFailures: 0, counts: { businessRejected: 200, failed: 0 } });
  });

  it('does trip on the same rejections without isBusinessRejection (the control)', async () => {
    const { venue, trading, client } = setup({ business: false });
    venue.marginLimit = 0;
    for (let i = 0; i < 5; i++) await expect(client.placeOrder(order)).rejects.toBeInstanceOf(VenueRejection);
    expect(trading.breaker.state).toBe('open');
  });

  it("asks isBusinessRejection with the operation's name and combines it with the breaker's isFailure", async () => {
    const clock = new SimulatedClock();
    const asked: string[] = [];
    const client = { placeOrder: async (kind: string) => Promise.reject(new Error(kind)) };
    const trading = createTradingCircuitBreaker(client, {
      breaker: { clock, isFailure: (e) => (e as Error).message !== 'ignored' },
      isBusinessRejection: (e, operation) => {
        asked.push(operation);
        return (e as Error).message === 'margin';
      },
    });
    cleanup.push(() => trading.dispose());
    for (const kind of ['margin', 'ignored', 'down']) await trading.client.placeOrder(kind).catch(() => {});
    expect(asked).toEqual(['placeOrder', 'placeOrder', 'placeOrder']);
    expect(trading.breaker.stats().counts).toMatchObject({ succeeded: 2, businessRejected: 2, failed: 1 });
  });

  it('counts an error as a failure and logs when isBusinessRejection throws', async () => {
    const clock = new SimulatedClock();
    const logger = captureLogger();
    const trading = createTradingCircuitBreaker({ placeOrder: async () => Promise.reject(new Error('x')) }, {
      breaker: { clock, logger },
      isBusinessRejection: () => {
        throw new Error('predicate bug');
      },
    });
    cleanup.push(() => trading.dispose());
    await expect(trading.client.placeOrder()).rejects.toThrow('x');
    expect(trading.breaker.stats().counts.failed).toBe(1);
    expect(logger.entries.some((l) => l.level === 'error' && /isBusinessRejection threw/.test(l.message ?? ''))).toBe(true);
  });

  it('trips on a hung node while orders keep coming, before any call completes (in-flight slowness)', async () => {
    const { clock, venue, trading, client } = setup();
    for (let i = 0; i < 100; i++) await client.placeOrder(order); // 5 ms each: a healthy window of 100
    expect(trading.breaker.stats()).toMatchObject({ state: 'closed', p99Ms: 5, samples: 100 });
    venue.phase = 'hung';
    const refusals: unknown[] = [];
    let sent = 0;
    for (let i = 0; i < 100 && trading.breaker.state === 'closed'; i++) {
      client.placeOrder(order).catch((e: unknown) => refusals.push(e));
      sent++;
      clock.increment(10); // orders keep coming every 10 ms
    }
    await flush();
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ sent: false, reason: { trigger: 'p99' } });
    const stats = trading.breaker.stats();
    expect(stats.state).toBe('open');
    expect(stats.counts.succeeded).toBe(100); // nothing completed since the hang
    expect(venue.pending).toBeGreaterThan(0);
    const refusal = await client.placeOrder(order).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ sent: false, reason: { trigger: 'p99', thresholdMs: 200 } });
    const reason = (refusal as { reason: { inFlightSlow: number; valueMs: number } }).reason;
    expect(reason.inFlightSlow).toBeGreaterThanOrEqual(2);
    expect(reason.valueMs).toBeGreaterThan(200);
    // Admitted orders are exactly the ones the venue saw; the tripping admission was refused.
    expect(venue.count('placeOrder')).toBe(100 + venue.pending);
    expect(sent - venue.pending).toBe(1);
    // The hung calls answer late: counted as stale results, the circuit stays open.
    venue.releaseHung();
    await flush();
    expect(trading.breaker.state).toBe('open');
    expect(trading.breaker.stats().counts.succeeded).toBe(100 + (sent - 1));
  });

  it('does not trip while overlapping orders are slower but within the threshold (the control)', async () => {
    const { clock, venue, trading, client } = setup();
    for (let i = 0; i < 100; i++) await client.placeOrder(order);
    venue.phase = 'hung';
    for (let i = 0; i < 19; i++) {
      client.placeOrder(order).catch(() => {});
      clock.increment(10); // 19 outstanding, the oldest 190 ms old: none overdue yet
    }
    venue.releaseHung();
    await flush();
    expect(trading.breaker.state).toBe('closed');
    expect(trading.breaker.stats().counts.succeeded).toBe(119);
  });
});

describe('createTradingCircuitBreaker: shared breakers, dispose and options', () => {
  it('uses a shared breaker as given, boxes business rejections through it, and leaves it alive on dispose', async () => {
    const clock = new SimulatedClock();
    const shared = createCircuitBreaker({ name: 'shared', clock, logger: captureLogger() });
    cleanup.push(() => shared.dispose());
    const venue = new MockVenue(clock);
    venue.marginLimit = 0;
    const trading = createTradingCircuitBreaker(venue, { breaker: shared, isBusinessRejection: isVenueRejection });
    expect(trading.breaker).toBe(shared);
    for (let i = 0; i < 10; i++) await expect(trading.client.placeOrder(order)).rejects.toBeInstanceOf(VenueRejection);
    expect(shared.state).toBe('closed');
    expect(shared.stats().counts).toMatchObject({ succeeded: 10, failed: 0 });
    await expect(trading.tryClient.placeOrder(order)).rejects.toBeInstanceOf(VenueRejection);

    trading.dispose();
    expect(shared.state).toBe('closed');
    await expect(shared.execute(async () => 1)).resolves.toBe(1);
    const refusal = await trading.client.placeOrder(order).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ sent: false, reason: { trigger: 'disposed' } });
    await expect(trading.tryClient.getQuote('X')).resolves.toMatchObject({ ok: false, reason: { trigger: 'disposed' } });
    const cancels = venue.count('cancelOrder');
    await trading.client.cancelOrder('o-x').catch(() => {});
    expect(venue.count('cancelOrder')).toBe(cancels + 1); // a cancel still goes out
  });

  it('disposes its own breaker: no timer pending, guarded calls refused, cancels still sent', async () => {
    const sim = new SimulatedClock();
    const clock = new CountingClock(sim);
    const venue = new MockVenue(sim, { degraded: { latencyMs: 1, failEvery: 1 } });
    const trading = createTradingCircuitBreaker(venue, { breaker: { clock, logger: captureLogger() } });
    await trip(venue, trading);
    expect(clock.pending).toBeGreaterThan(0); // the backoff
    trading[Symbol.dispose]();
    trading.dispose();
    expect(clock.pending).toBe(0);
    await expect(trading.client.placeOrder(order)).rejects.toMatchObject({ sent: false, reason: { trigger: 'disposed' } });
    await trading.client.cancelOrder('o-x').catch(() => {});
    expect(venue.count('cancelOrder')).toBe(1);
  });

  it('reports every invalid option at once, breaker options included', () => {
    const venue = new MockVenue(new SimulatedClock());
    let error: unknown;
    try {
      createTradingCircuitBreaker(venue, {
        breaker: { latencyThresholdMs: -1 },
        operations: { cancelOrdr: 'bypass', getQuote: 'skip' },
        isBusinessRejection: 'yes',
        retries: 3,
      } as never);
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    const options = (error as { problems: { option: string }[] }).problems.map((p) => p.option).sort();
    expect(options).toEqual(['breaker.latencyThresholdMs', 'isBusinessRejection', 'operations.cancelOrdr', 'operations.getQuote', 'retries']);
  });

  it('refuses a health checker next to a shared breaker, or next to breaker.healthCheck', () => {
    const clock = new SimulatedClock();
    const shared = createCircuitBreaker({ clock });
    cleanup.push(() => shared.dispose());
    const checker = { check: async () => true };
    expect(() => createTradingCircuitBreaker({}, { breaker: shared, healthChecker: checker })).toThrow(/healthChecker/);
    expect(() => createTradingCircuitBreaker({}, { breaker: { clock, healthCheck: async () => true }, healthChecker: checker })).toThrow(/not both/);
  });

  it('rejects a client that is not an object', () => {
    expect(() => createTradingCircuitBreaker(null as unknown as object)).toThrow(TypeError);
  });
});
