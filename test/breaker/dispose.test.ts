import { describe, expect, it } from 'vitest';
import { CircuitOpenError, isCircuitOpenError, type StateChange } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { CountingClock } from '../support/CountingClock.js';
import { settle } from '../support/settle.js';
import { failCalls, timedCalls } from './helpers/calls.js';
import { deferred } from './helpers/deferred.js';
import { harness } from './helpers/harness.js';

describe('dispose', () => {
  it('sets no timer for closed-state calls (no timer per call)', async () => {
    const clock = new CountingClock();
    const { breaker } = harness({ clock });
    await timedCalls(breaker, clock, 20, 500);
    expect(clock.setCount).toBe(0);
    breaker.dispose();
    expect(clock.pending).toBe(0);
  });

  it('leaves no pending timer when disposed while open (the backoff)', async () => {
    const clock = new CountingClock();
    const { breaker } = harness({ clock });
    await failCalls(breaker, 5);
    expect(clock.pending).toBe(1);
    breaker.dispose();
    expect(clock.pending).toBe(0);
  });

  it('leaves no pending timer and aborts the health check when disposed while it runs', async () => {
    const clock = new CountingClock();
    let signal: AbortSignal | undefined;
    const { breaker } = harness({
      clock,
      healthCheck: (s) => {
        signal = s;
        return new Promise(() => {});
      },
    });
    await failCalls(breaker, 5);
    clock.increment(30_000);
    await settle();
    expect(signal).toBeDefined();
    expect(clock.pending).toBe(1); // its timeout
    breaker.dispose();
    expect(clock.pending).toBe(0);
    expect(signal!.aborted).toBe(true);
  });

  it('leaves no pending timer when disposed while a probe runs (the probe timeout)', async () => {
    const clock = new CountingClock();
    const { breaker } = harness({ clock });
    await failCalls(breaker, 5);
    clock.increment(30_000);
    const probe = deferred<string>();
    const call = outcome(breaker.execute(() => probe.promise));
    expect(clock.pending).toBe(1);
    breaker.dispose();
    expect(clock.pending).toBe(0);
    probe.resolve('late'); // the caller still gets its result
    expect(await call).toEqual({ ok: true, value: 'late' });
  });

  it('leaves no pending timer when a breaker restored open is disposed (one backoff timer, not two)', async () => {
    const first = harness();
    await failCalls(first.breaker, 5);
    const saved = JSON.parse(JSON.stringify(first.breaker.snapshot()));
    first.breaker.dispose();
    const clock = new CountingClock();
    const { breaker } = harness({ clock, restore: saved });
    expect(breaker.state).toBe('open');
    expect(clock.pending).toBe(1);
    breaker.dispose();
    expect(clock.pending).toBe(0);
  });

  it('can be called twice', async () => {
    const { breaker } = harness();
    await failCalls(breaker, 5);
    breaker.dispose();
    expect(() => breaker.dispose()).not.toThrow();
  });

  it('refuses execute afterwards with CircuitOpenError (trigger "disposed"), never invoking the operation', async () => {
    const { breaker } = harness();
    breaker.dispose();
    let invoked = false;
    const o = await outcome(breaker.execute(() => (invoked = true)));
    expect(invoked).toBe(false);
    const e = (o as { error: CircuitOpenError }).error;
    expect(isCircuitOpenError(e)).toBe(true);
    expect(e.reason).toEqual({ trigger: 'disposed' });
    expect(e.retryAfterMs).toBeNull();
    expect(e.state).toBe('open'); // CircuitOpenError.state: "open, or halfOpen when every probe permit is taken"
    expect(await breaker.tryExecute(() => (invoked = true))).toMatchObject({ ok: false, reason: { trigger: 'disposed' } });
    expect(invoked).toBe(false);
  });

  it('works through [Symbol.dispose]', async () => {
    const clock = new CountingClock();
    const { breaker } = harness({ clock });
    await failCalls(breaker, 5);
    breaker[Symbol.dispose]();
    expect(clock.pending).toBe(0);
    await expect(breaker.execute(() => 1)).rejects.toSatisfy(isCircuitOpenError);
  });

  it('completes stateChanges$ and notifies no listener afterwards', async () => {
    const clock = new CountingClock();
    const { breaker } = harness({ clock });
    let completed = false;
    const streamed: StateChange[] = [];
    breaker.stateChanges$.subscribe({ next: (c) => streamed.push(c), complete: () => (completed = true) });
    const heard: StateChange[] = [];
    breaker.onStateChange((c) => heard.push(c));
    breaker.dispose();
    expect(completed).toBe(true);
    breaker.forceOpen({ by: 'x', why: 'after dispose' });
    clock.increment(1_000_000);
    expect(heard).toEqual([]);
    expect(streamed).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('a call admitted before dispose settles normally afterwards and leaves nothing pending', async () => {
    const clock = new CountingClock();
    const { breaker } = harness({ clock });
    const pending = deferred<string>();
    const call = breaker.execute(() => pending.promise);
    breaker.dispose();
    clock.increment(5);
    pending.resolve('filled');
    expect(await call).toBe('filled');
    expect(clock.pending).toBe(0);
  });
});
