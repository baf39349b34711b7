import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createTradingCircuitBreaker, type Logger, type StateChange } from '../../src/index.js';
import { captureLogger } from '../support/captureLogger.js';
import { MockVenue, type Order } from './MockVenue.js';

const order: Order = { symbol: 'BTC-USD', side: 'buy', qty: 1, price: 100 };

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const fn of cleanup.splice(0)) fn();
});

function desk(logger: Logger = captureLogger()) {
  const clock = new SimulatedClock();
  const venue = new MockVenue(clock, { degraded: { latencyMs: 1, failEvery: 1 } });
  const trading = createTradingCircuitBreaker(venue, {
    breaker: { name: 'desk', clock, random: () => 0.5, recoveryTimeoutMs: 1_000, windowSize: 50, minimumSamples: 10, logger },
  });
  cleanup.push(() => trading.dispose());
  const changes: StateChange[] = [];
  trading.breaker.onStateChange((change) => changes.push(change));
  return { clock, venue, trading, changes };
}

describe('manual control: a kill switch a desk can audit', () => {
  it('forceOpen refuses orders with no automatic recovery, lets cancels out, and records who and why', async () => {
    const logger = captureLogger();
    const { clock, venue, trading, changes } = desk(logger);
    const fill = await trading.client.placeOrder(order);
    trading.breaker.forceOpen({ by: 'alice', why: 'venue halted trading' });
    expect(trading.breaker.state).toBe('open');
    expect(changes).toEqual([
      {
        from: 'closed', to: 'open', at: 5, attempt: 0, nextAttemptAt: null,
        reason: { trigger: 'manual', action: 'forceOpen', by: 'alice', why: 'venue halted trading' },
      },
    ]);
    expect(changes[0]!.breaker).toBe('desk'); // readable, though not part of the enumerable shape
    const refusal = await trading.client.placeOrder(order).catch((e: unknown) => e);
    expect(refusal).toMatchObject({ sent: false, retryAfterMs: null, reason: { trigger: 'manual', by: 'alice' } });
    clock.increment(3_600_000);
    expect(trading.breaker.state).toBe('open'); // an hour later: still held open by hand
    await expect(trading.client.cancelOrder(fill.orderId)).resolves.toMatchObject({ cancelled: true });
    expect(venue.count('placeOrder')).toBe(1);
    const line = logger.entries.find((l) => l.fields['event'] === 'stateChange');
    expect(line).toMatchObject({ level: 'warn', message: 'circuit desk: closed → open (manual)', fields: { reason: { by: 'alice', why: 'venue halted trading' } } });
    // the log line names its breaker explicitly, although the StateChange's breaker is non-enumerable
    expect(line!.fields).toMatchObject({ event: 'stateChange', breaker: 'desk', from: 'closed', to: 'open', trigger: 'manual', valueMs: null, thresholdMs: null, attempt: 0, nextAttemptAt: null, at: 5 });
  });

  it('forceClose closes a tripped circuit at once with a fresh window', async () => {
    const { venue, trading, changes } = desk();
    venue.phase = 'degraded';
    for (let i = 0; i < 5; i++) await trading.client.placeOrder(order).catch(() => {});
    expect(trading.breaker.state).toBe('open');
    venue.phase = 'fast';
    trading.breaker.forceClose({ by: 'bob', why: 'venue confirmed healthy by phone' });
    expect(trading.breaker.stats()).toMatchObject({ state: 'closed', samples: 0, consecutiveFailures: 0, attempt: 0, nextAttemptAt: null });
    expect(changes.at(-1)).toMatchObject({ from: 'open', to: 'closed', reason: { action: 'forceClose', by: 'bob', why: 'venue confirmed healthy by phone' } });
    await expect(trading.client.placeOrder(order)).resolves.toMatchObject({ filledQty: 1 });
  });

  it('disable lets everything through and keeps measuring without tripping; reset returns to closed', async () => {
    const { venue, trading, changes } = desk();
    trading.breaker.disable({ by: 'carol', why: 'tuning thresholds in shadow mode' });
    expect(trading.breaker.state).toBe('disabled');
    venue.phase = 'degraded';
    for (let i = 0; i < 30; i++) await trading.client.placeOrder(order).catch(() => {});
    expect(trading.breaker.stats()).toMatchObject({ state: 'disabled', samples: 30, errorRate: 1, consecutiveFailures: 30, counts: { failed: 30 } });
    expect(venue.count('placeOrder')).toBe(30);
    trading.breaker.reset({ by: 'carol', why: 'shadow run over' });
    expect(trading.breaker.stats()).toMatchObject({ state: 'closed', samples: 0 });
    expect(changes.map((c) => [c.from, c.to, c.reason.trigger === 'manual' ? c.reason.action : c.reason.trigger])).toEqual([
      ['closed', 'disabled', 'disable'],
      ['disabled', 'closed', 'reset'],
    ]);
  });

  it('emits every manual action on stateChanges$ with who and why', () => {
    const { trading } = desk();
    const seen: string[] = [];
    trading.breaker.stateChanges$.subscribe((c) => {
      if (c.reason.trigger === 'manual') seen.push(`${c.reason.action}:${c.reason.by}:${c.reason.why}:${c.to}`);
    });
    trading.breaker.forceOpen({ by: 'a', why: 'w1' });
    trading.breaker.forceClose({ by: 'b', why: 'w2' });
    trading.breaker.disable({ by: 'c', why: 'w3' });
    trading.breaker.reset({ by: 'd', why: 'w4' });
    expect(seen).toEqual(['forceOpen:a:w1:open', 'forceClose:b:w2:closed', 'disable:c:w3:disabled', 'reset:d:w4:closed']);
  });

  it('refuses a manual action whose who or why is not a string, and records a missing one as unknown / unspecified', () => {
    const { trading, changes } = desk();
    expect(() => trading.breaker.forceOpen({ by: 'x', why: 42 } as never)).toThrow(TypeError);
    expect(() => trading.breaker.forceOpen('x' as never)).toThrow(TypeError);
    expect(trading.breaker.state).toBe('closed');
    expect(changes).toEqual([]);
    trading.breaker.forceOpen({ by: 'x' });
    expect(trading.breaker.state).toBe('open');
    expect(changes.at(-1)!.reason).toEqual({ trigger: 'manual', action: 'forceOpen', by: 'x', why: 'unspecified' });
    trading.breaker.forceOpen();
    expect(changes.at(-1)).toMatchObject({ from: 'open', to: 'open', reason: { trigger: 'manual', action: 'forceOpen', by: 'unknown', why: 'unspecified' } });
  });

  it('writes the audit trail as JSON through pino to a memory stream', async () => {
    const written: string[] = [];
    const logger = pino({ level: 'info', base: null, timestamp: false }, { write: (line: string) => void written.push(line) });
    const { trading } = desk(logger);
    trading.breaker.forceOpen({ by: 'alice', why: 'fat-finger alert' });
    await trading.client.cancelOrder('o-unknown').catch(() => {});
    trading.breaker.reset({ by: 'alice', why: 'cleared' });
    const records = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toEqual([
      expect.objectContaining({ level: 40, msg: 'circuit desk: closed → open (manual)', event: 'stateChange', reason: { trigger: 'manual', action: 'forceOpen', by: 'alice', why: 'fat-finger alert' } }),
      expect.objectContaining({ level: 30, event: 'bypass', operation: 'cancelOrder', state: 'open', msg: 'cancelOrder sent while circuit desk is open (bypass)' }),
      expect.objectContaining({ level: 30, msg: 'circuit desk: open → closed (manual)', reason: { trigger: 'manual', action: 'reset', by: 'alice', why: 'cleared' } }),
    ]);
  });
});
