import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, createTradingCircuitBreaker, isConfigError, PingHealthChecker, toHealthCheck } from '../../src/index.js';
import { captureLogger } from '../support/captureLogger.js';
import { flush, MockVenue, type Order } from './MockVenue.js';

const order: Order = { symbol: 'BTC-USD', side: 'buy', qty: 1, price: 100 };
const signal = new AbortController().signal;

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

/** A ping that takes `latencyMs` on the simulated clock. */
function timedPing(clock: SimulatedClock, latencyMs: number, answer: unknown = 'pong') {
  return async (): Promise<unknown> => {
    clock.increment(latencyMs);
    return answer;
  };
}

describe('PingHealthChecker', () => {
  it('is healthy when the ping answers within the threshold (inclusive), unhealthy above it', async () => {
    const clock = new SimulatedClock();
    const fast = new PingHealthChecker({ ping: timedPing(clock, 20), latencyThresholdMs: 200, clock });
    await expect(fast.check(signal)).resolves.toBe(true);
    expect(fast.lastResult).toEqual({ healthy: true, outcome: 'healthy', latencyMs: 20 });
    const edge = new PingHealthChecker({ ping: timedPing(clock, 200), latencyThresholdMs: 200, clock });
    await expect(edge.check(signal)).resolves.toBe(true);
    const slow = new PingHealthChecker({ ping: timedPing(clock, 201), latencyThresholdMs: 200, clock });
    await expect(slow.check(signal)).resolves.toBe(false);
    expect(slow.lastResult).toEqual({ healthy: false, outcome: 'slow', latencyMs: 201 });
  });

  it('is unhealthy, without rejecting, when the ping rejects, throws, or answers false', async () => {
    const clock = new SimulatedClock();
    const boom = new Error('ECONNREFUSED');
    const rejecting = new PingHealthChecker({ ping: () => Promise.reject(boom), latencyThresholdMs: 200, clock });
    await expect(rejecting.check(signal)).resolves.toBe(false);
    expect(rejecting.lastResult).toMatchObject({ healthy: false, outcome: 'error', error: boom });
    const throwing = new PingHealthChecker({
      ping: () => {
        throw boom;
      },
      latencyThresholdMs: 200,
      clock,
    });
    await expect(throwing.check(signal)).resolves.toBe(false);
    const saysNo = new PingHealthChecker({ ping: timedPing(clock, 1, false), latencyThresholdMs: 200, clock });
    await expect(saysNo.check(signal)).resolves.toBe(false);
    expect(saysNo.lastResult?.outcome).toBe('answeredFalse');
  });

  it('passes the signal to the ping', async () => {
    const seen: AbortSignal[] = [];
    const checker = new PingHealthChecker({ ping: async (s) => seen.push(s), latencyThresholdMs: 1_000 });
    await checker.check(signal);
    expect(seen).toEqual([signal]);
  });

  it('rejects invalid options, all at once', () => {
    let error: unknown;
    try {
      new PingHealthChecker({ ping: 'x', latencyThresholdMs: Number.NaN, clock: {} } as never);
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as { problems: { option: string }[] }).problems.map((p) => p.option)).toEqual(['ping', 'latencyThresholdMs', 'clock']);
    expect(() => toHealthCheck({} as never)).toThrow(TypeError);
  });

  it('turns a synchronous throw in check into a rejection through toHealthCheck', async () => {
    const check = toHealthCheck({
      check: () => {
        throw new Error('sync');
      },
    });
    await expect(check(signal)).rejects.toThrow('sync');
  });
});

describe('PingHealthChecker plugged into the breaker', () => {
  function wired() {
    const clock = new SimulatedClock();
    const venue = new MockVenue(clock, { degraded: { latencyMs: 350, failEvery: 0 } });
    const checker = new PingHealthChecker({ ping: (s) => venue.ping(s), latencyThresholdMs: 200, clock });
    const logger = captureLogger();
    const trading = createTradingCircuitBreaker(venue, {
      breaker: { name: 'node', clock, random: () => 0.5, recoveryTimeoutMs: 1_000, healthCheckTimeoutMs: 3_000, logger },
      healthChecker: checker,
    });
    cleanup.push(() => trading.dispose());
    return { clock, venue, checker, trading };
  }

  it('keeps the circuit open while pings are slow, then goes half-open when they are fast, without using orders', async () => {
    const { clock, venue, checker, trading } = wired();
    venue.phase = 'hung';
    for (let i = 0; i < 5; i++) {
      const sent = trading.client.placeOrder(order).catch(() => {});
      venue.releaseHung('fail'); // the node drops the connection
      await sent;
    }
    expect(trading.breaker.state).toBe('open');
    const ordersSent = venue.count('placeOrder');

    venue.phase = 'degraded'; // pings answer in 350 ms: too slow
    clock.increment(1_000);
    await flush(10);
    expect(checker.lastResult).toMatchObject({ healthy: false, outcome: 'slow', latencyMs: 350 });
    expect(trading.breaker.stats()).toMatchObject({ state: 'open', attempt: 1 });
    const afterSlow = await trading.client.placeOrder(order).catch((e: unknown) => e);
    expect(afterSlow).toMatchObject({ reason: { trigger: 'healthCheck', outcome: 'unhealthy' } });

    venue.phase = 'recovering'; // 40 ms pings
    clock.increment(trading.breaker.stats().nextAttemptAt! - clock.now());
    await flush(10);
    expect(checker.lastResult).toMatchObject({ healthy: true, latencyMs: 40 });
    expect(trading.breaker.state).toBe('halfOpen');
    expect(venue.count('placeOrder')).toBe(ordersSent); // only pings found out
    expect(venue.count('ping')).toBe(2);

    await expect(trading.client.placeOrder(order)).resolves.toMatchObject({ filledQty: 1 });
    expect(trading.breaker.state).toBe('closed');
  });

  it('counts a ping that hangs past healthCheckTimeoutMs as unhealthy and aborts it', async () => {
    const clock = new SimulatedClock();
    const venue = new MockVenue(clock);
    const aborted: unknown[] = [];
    const breaker = createCircuitBreaker({
      name: 'raw',
      clock,
      random: () => 0.5,
      recoveryTimeoutMs: 1_000,
      healthCheckTimeoutMs: 3_000,
      logger: captureLogger(),
      healthCheck: toHealthCheck(new PingHealthChecker({ ping: (s) => venue.ping(s).catch((e: unknown) => { aborted.push(e); throw e; }), latencyThresholdMs: 200, clock })),
    });
    cleanup.push(() => breaker.dispose());
    for (let i = 0; i < 5; i++) await breaker.execute(() => Promise.reject(new Error('down'))).catch(() => {});
    venue.phase = 'hung';
    clock.increment(1_000);
    expect(venue.pending).toBe(1);
    clock.increment(3_000);
    await flush(10);
    expect(breaker.stats()).toMatchObject({ state: 'open', attempt: 1 });
    const refusal = await breaker.execute(async () => 1).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ reason: { trigger: 'healthCheck', outcome: 'timeout' } });
    expect(aborted).toHaveLength(1);
    expect(venue.pending).toBe(0);
  });
});
