import { describe, expect, it } from 'vitest';
import { isCircuitOpenError, type StateChange } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { settle } from '../support/settle.js';
import { failCalls, NodeDown, timedCall } from './helpers/calls.js';
import { harness } from './helpers/harness.js';

/** The open time planned by the last transition into open. */
const openTimeOf = (change: StateChange | undefined): number => {
  expect(change?.to).toBe('open');
  return change!.nextAttemptAt! - change!.at;
};

describe('backoff: how long the breaker stays open', () => {
  it('stays open 30 s, 60 s, 120 s, 240 s, then 300 s (cap) across failed probes, with random = 0.5', async () => {
    const { breaker, clock, changes } = harness();
    await failCalls(breaker, 5);
    const seen: number[] = [];
    for (let k = 0; k < 6; k++) {
      const opened = changes.at(-1)!;
      expect(opened.attempt).toBe(k);
      const delay = openTimeOf(opened);
      seen.push(delay);
      clock.increment(delay - 1);
      expect(breaker.state).toBe('open');
      clock.increment(1);
      expect(breaker.state).toBe('halfOpen');
      expect(changes.at(-1)!.reason).toEqual({ trigger: 'recoveryDue', attempt: k });
      await timedCall(breaker, clock, 3, new NodeDown('still down'));
      expect(breaker.state).toBe('open');
      expect(changes.at(-1)!.reason).toMatchObject({ trigger: 'probe', outcome: 'failed' });
    }
    expect(seen).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });

  it('grows the same way across unhealthy health checks, each adding 1 to the attempt', async () => {
    let checks = 0;
    const { breaker, clock, changes } = harness({
      healthCheck: async () => {
        checks++;
        return false;
      },
    });
    await failCalls(breaker, 5);
    const seen: number[] = [];
    for (let k = 0; k < 6; k++) {
      const delay = openTimeOf(changes.at(-1));
      expect(changes.at(-1)!.attempt).toBe(k);
      seen.push(delay);
      clock.increment(delay - 1);
      await settle();
      expect(checks).toBe(k);
      clock.increment(1);
      await settle();
      expect(checks).toBe(k + 1);
      expect(breaker.state).toBe('open');
      expect(changes.at(-1)!.reason).toEqual({ trigger: 'healthCheck', outcome: 'unhealthy' });
    }
    expect(seen).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000]);
  });

  it('keeps jitter within ±10 %: random → 0 gives 27 s, random → 1 gives just under 33 s', async () => {
    const low = harness({ random: () => 0 });
    await failCalls(low.breaker, 5);
    expect(openTimeOf(low.changes[0])).toBe(27_000);

    const high = harness({ random: () => 0.999_999_9 });
    await failCalls(high.breaker, 5);
    const delay = openTimeOf(high.changes[0]);
    expect(delay).toBeGreaterThan(32_999);
    expect(delay).toBeLessThanOrEqual(33_000);
  });

  it('keeps every jittered delay inside [0.9, 1.1] × nominal and inside [baseDelayMs, maxDelayMs]', async () => {
    for (const r of [0, 0.001, 0.25, 0.5, 0.75, 0.999_999]) {
      const { breaker, clock, changes } = harness({ random: () => r });
      await failCalls(breaker, 5);
      for (let k = 0; k < 6; k++) {
        const delay = openTimeOf(changes.at(-1));
        const nominal = 30_000 * 2 ** k;
        const expected = Math.min(300_000, nominal * (1 + 0.1 * (2 * r - 1)));
        expect(delay).toBeCloseTo(expected, 6);
        // nextAttemptAt − at is a float difference at non-integer times: allow its rounding
        expect(delay).toBeGreaterThanOrEqual(Math.min(300_000, nominal * 0.9) - 1e-6);
        expect(delay).toBeLessThanOrEqual(Math.min(300_000, nominal * 1.1) + 1e-6);
        clock.increment(delay);
        await timedCall(breaker, clock, 1, new NodeDown('down'));
      }
    }
  });

  it('never waits less than recovery.baseDelayMs nor more than recovery.maxDelayMs', async () => {
    const short = harness({ recoveryTimeoutMs: 100, recovery: { baseDelayMs: 1_000 } });
    await failCalls(short.breaker, 5);
    expect(openTimeOf(short.changes[0])).toBe(1_000);

    const long = harness({ recoveryTimeoutMs: 90_000, recovery: { maxDelayMs: 60_000 } });
    await failCalls(long.breaker, 5);
    expect(openTimeOf(long.changes[0])).toBe(60_000);
  });

  it('starts again from 30 s after the circuit closed (the attempt resets)', async () => {
    const { breaker, clock, changes } = harness();
    await failCalls(breaker, 5);
    clock.increment(30_000);
    await timedCall(breaker, clock, 1, new NodeDown('down')); // attempt 1
    expect(openTimeOf(changes.at(-1))).toBe(60_000);
    clock.increment(60_000);
    await timedCall(breaker, clock, 20); // closes
    expect(breaker.state).toBe('closed');
    expect(changes.at(-1)).toMatchObject({ to: 'closed', attempt: 0, nextAttemptAt: null });
    expect(breaker.stats().attempt).toBe(0);
    await failCalls(breaker, 5);
    expect(changes.at(-1)!.attempt).toBe(0);
    expect(openTimeOf(changes.at(-1))).toBe(30_000);
  });

  it('reports the remaining open time in retryAfterMs as time passes', async () => {
    const { breaker, clock } = harness();
    await failCalls(breaker, 5);
    for (const elapsed of [0, 12_345, 29_999]) {
      clock.increment(elapsed - (30_000 - (await retryAfter())));
      expect(await retryAfter()).toBe(30_000 - elapsed);
    }
    async function retryAfter(): Promise<number> {
      const o = await outcome(breaker.execute(() => 1));
      if (o.ok || !isCircuitOpenError(o.error)) throw new Error('expected a refusal');
      return o.error.retryAfterMs!;
    }
  });
});
