import { describe, expect, it } from 'vitest';
import { isCircuitOpenError, type CircuitBreaker, type StateChange } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { settle } from '../support/settle.js';
import { failCalls, timedCall, type ManualClock } from './helpers/calls.js';
import { deferred, type Deferred } from './helpers/deferred.js';
import { harness } from './helpers/harness.js';

/** A health check whose every run is settled by hand. */
function manualHealthCheck() {
  const runs: Array<{ signal: AbortSignal; answer: Deferred<unknown> }> = [];
  const check = (signal: AbortSignal): Promise<unknown> => {
    const answer = deferred<unknown>();
    runs.push({ signal, answer });
    return answer.promise;
  };
  return { runs, check };
}

/** Trips the breaker (5 failures) and waits out the first 30 s backoff: the health check has been called. */
async function tripAndWaitOutBackoff(breaker: CircuitBreaker, clock: ManualClock): Promise<void> {
  await failCalls(breaker, 5);
  clock.increment(30_000);
  await settle();
}

const openTimeOf = (c: StateChange): number => c.nextAttemptAt! - c.at;

describe('health check before half-open', () => {
  it('is run only when the backoff ends; calls stay refused while it runs; healthy → half-open', async () => {
    const hc = manualHealthCheck();
    const { breaker, clock, changes } = harness({ healthCheck: hc.check });
    await failCalls(breaker, 5);
    clock.increment(29_999);
    await settle();
    expect(hc.runs).toHaveLength(0);
    clock.increment(1);
    await settle();
    expect(hc.runs).toHaveLength(1);
    expect(breaker.state).toBe('open');
    let invoked = false;
    const during = await outcome(breaker.execute(() => (invoked = true)));
    expect(invoked).toBe(false);
    expect(!during.ok && isCircuitOpenError(during.error)).toBe(true);

    hc.runs[0]!.answer.resolve({ status: 'up' });
    await settle();
    expect(breaker.state).toBe('halfOpen');
    expect(changes.at(-1)).toMatchObject({ from: 'open', to: 'halfOpen', reason: { trigger: 'healthCheck', outcome: 'healthy' } });
    expect(hc.runs[0]!.signal.aborted).toBe(false);
  });

  it.each([undefined, 0, '', null, true, 'ok'])('counts a check resolving to %j as healthy (only false is unhealthy)', async (answer) => {
    const { breaker, clock } = harness({ healthCheck: async () => answer });
    await tripAndWaitOutBackoff(breaker, clock);
    expect(breaker.state).toBe('halfOpen');
  });

  it('returns false → open again with attempt + 1 and the next, longer backoff', async () => {
    const hc = manualHealthCheck();
    const { breaker, clock, changes } = harness({ healthCheck: hc.check });
    await tripAndWaitOutBackoff(breaker, clock);
    hc.runs[0]!.answer.resolve(false);
    await settle();
    expect(breaker.state).toBe('open');
    const c = changes.at(-1)!;
    expect(c).toMatchObject({ from: 'open', to: 'open', attempt: 1, reason: { trigger: 'healthCheck', outcome: 'unhealthy' } });
    expect(openTimeOf(c)).toBe(60_000);
    expect(breaker.stats().attempt).toBe(1);
  });

  it('throws synchronously → open again with attempt + 1, the error described in the reason', async () => {
    const { breaker, clock, changes } = harness({
      healthCheck: () => {
        throw new TypeError('probe endpoint missing');
      },
    });
    await tripAndWaitOutBackoff(breaker, clock);
    expect(breaker.state).toBe('open');
    expect(changes.at(-1)).toMatchObject({
      to: 'open',
      attempt: 1,
      reason: { trigger: 'healthCheck', outcome: 'error', error: 'TypeError: probe endpoint missing' },
    });
  });

  it.each([
    ['an Error', new Error('ECONNREFUSED')],
    ['a string', 'ECONNREFUSED'],
    ['a plain object', { code: 503 }],
    ['undefined', undefined],
  ])('rejects with %s → open again with attempt + 1', async (_label, rejection) => {
    const hc = manualHealthCheck();
    const { breaker, clock, changes } = harness({ healthCheck: hc.check });
    await tripAndWaitOutBackoff(breaker, clock);
    hc.runs[0]!.answer.reject(rejection);
    await settle();
    expect(breaker.state).toBe('open');
    expect(changes.at(-1)).toMatchObject({ to: 'open', attempt: 1, reason: { trigger: 'healthCheck', outcome: 'error' } });
    expect(openTimeOf(changes.at(-1)!)).toBe(60_000);
  });

  it('hangs → after healthCheckTimeoutMs (5 000) counts unhealthy, aborts its signal, and a late answer changes nothing', async () => {
    const hc = manualHealthCheck();
    const { breaker, clock, changes } = harness({ healthCheck: hc.check });
    await tripAndWaitOutBackoff(breaker, clock);
    const run = hc.runs[0]!;
    clock.increment(4_999);
    await settle();
    expect(run.signal.aborted).toBe(false);
    const before = changes.length;
    clock.increment(1);
    await settle();
    expect(run.signal.aborted).toBe(true);
    expect(breaker.state).toBe('open');
    expect(changes).toHaveLength(before + 1);
    expect(changes.at(-1)).toMatchObject({ to: 'open', attempt: 1, reason: { trigger: 'healthCheck', outcome: 'timeout', timeoutMs: 5_000 } });
    expect(openTimeOf(changes.at(-1)!)).toBe(60_000);

    run.answer.resolve(true); // the late "healthy" must not open the gate
    await settle();
    expect(breaker.state).toBe('open');
    expect(changes).toHaveLength(before + 1);
  });

  it('honours a custom healthCheckTimeoutMs', async () => {
    const hc = manualHealthCheck();
    const { breaker, clock, changes } = harness({ healthCheck: hc.check, healthCheckTimeoutMs: 250 });
    await tripAndWaitOutBackoff(breaker, clock);
    clock.increment(250);
    await settle();
    expect(changes.at(-1)!.reason).toEqual({ trigger: 'healthCheck', outcome: 'timeout', timeoutMs: 250 });
  });

  it('after a healthy check, a passing probe closes the circuit', async () => {
    const { breaker, clock } = harness({ healthCheck: async () => true });
    await tripAndWaitOutBackoff(breaker, clock);
    await timedCall(breaker, clock, 15);
    expect(breaker.state).toBe('closed');
  });
});
