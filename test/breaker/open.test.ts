import { describe, expect, it } from 'vitest';
import { CircuitOpenError, isCircuitOpenError } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { failCalls, timedCall } from './helpers/calls.js';
import { harness } from './helpers/harness.js';

describe('open: every call is refused at once', () => {
  it('rejects with CircuitOpenError carrying state, reason, retryAfterMs and sent === false, without invoking the operation', async () => {
    const { breaker, clock, changes } = harness();
    clock.increment(1_000);
    await failCalls(breaker, 5);
    clock.increment(10_000);
    let invoked = 0;
    const refused = await outcome(
      breaker.execute(() => {
        invoked++;
        return 'sent';
      }),
    );
    expect(invoked).toBe(0);
    expect(refused.ok).toBe(false);
    const error = (refused as { error: unknown }).error;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isCircuitOpenError(error)).toBe(true);
    const e = error as CircuitOpenError;
    expect(e.name).toBe('CircuitOpenError');
    expect(e.breaker).toBe('venue');
    expect(e.state).toBe('open');
    expect(e.reason).toEqual(changes[0]!.reason);
    expect(e.reason).toEqual({ trigger: 'consecutiveFailures', value: 5, threshold: 5 });
    expect(e.retryAfterMs).toBe(20_000); // opened at 1 000 for 30 000, asked at 11 000
    expect(e.sent).toBe(false);
    expect(e.message).toContain('venue');
    expect(breaker.stats().counts.rejected).toBe(1);
  });

  it('refuses before any simulated time passes and never queues the call', async () => {
    const { breaker, clock } = harness();
    await failCalls(breaker, 5);
    const at = clock.now();
    let invoked = false;
    const call = breaker.execute(() => {
      invoked = true;
    });
    await expect(call).rejects.toSatisfy(isCircuitOpenError);
    expect(clock.now()).toBe(at);
    clock.increment(30_000); // recovery: the refused call is not replayed
    expect(breaker.state).toBe('halfOpen');
    expect(invoked).toBe(false);
  });

  it('tryExecute returns { ok: false, reason, retryAfterMs } instead of throwing', async () => {
    const { breaker, clock } = harness();
    await failCalls(breaker, 5);
    clock.increment(5_000);
    let invoked = false;
    const result = await breaker.tryExecute(() => {
      invoked = true;
      return 1;
    });
    expect(invoked).toBe(false);
    expect(result).toEqual({
      ok: false,
      reason: { trigger: 'consecutiveFailures', value: 5, threshold: 5 },
      retryAfterMs: 25_000,
    });
    expect(result).not.toHaveProperty('state'); // the refusal is { ok, reason, retryAfterMs } exactly
    expect(breaker.state).toBe('open');
    expect(breaker.stats().counts.rejected).toBe(1);
  });

  it('tryExecute returns { ok: true, value } when admitted', async () => {
    const { breaker } = harness();
    expect(await breaker.tryExecute(() => Promise.resolve(42))).toEqual({ ok: true, value: 42 });
    expect(breaker.stats().counts.succeeded).toBe(1);
  });

  it('refuses every call of a burst while open, and counts each refusal once', async () => {
    const { breaker, clock } = harness();
    await failCalls(breaker, 5);
    const burst = await Promise.all(Array.from({ length: 50 }, () => outcome(breaker.execute(() => 'x'))));
    expect(burst.every((o) => !o.ok && isCircuitOpenError(o.error))).toBe(true);
    await timedCall(breaker, clock, 1);
    expect(breaker.stats().counts).toMatchObject({ failed: 5, succeeded: 0, rejected: 51 });
  });
});
