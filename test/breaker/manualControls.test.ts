import { describe, expect, it } from 'vitest';
import { isCircuitOpenError, type CircuitOpenError } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { settle } from '../support/settle.js';
import { failCalls, NodeDown, timedCall, timedCalls } from './helpers/calls.js';
import { harness } from './helpers/harness.js';

const desk = { by: 'desk-7', why: 'venue halted trading' };

describe('manual controls', () => {
  it('forceOpen refuses every call and stays open past any backoff until forceClose', async () => {
    let checks = 0;
    const { breaker, clock, changes } = harness({
      healthCheck: async () => {
        checks++;
        return true;
      },
    });
    breaker.forceOpen(desk);
    expect(breaker.state).toBe('open');
    expect(changes.at(-1)).toMatchObject({ from: 'closed', to: 'open', nextAttemptAt: null, reason: { trigger: 'manual', action: 'forceOpen', ...desk } });
    let invoked = false;
    const o = await outcome(breaker.execute(() => (invoked = true)));
    expect(invoked).toBe(false);
    const e = (o as { error: CircuitOpenError }).error;
    expect(isCircuitOpenError(e)).toBe(true);
    expect(e.retryAfterMs).toBeNull();
    expect(e.reason).toEqual({ trigger: 'manual', action: 'forceOpen', ...desk });

    clock.increment(3_600_000); // an hour: well past the longest backoff
    await settle();
    expect(breaker.state).toBe('open');
    expect(checks).toBe(0);

    breaker.forceClose({ by: 'desk-7', why: 'venue resumed' });
    expect(breaker.state).toBe('closed');
    expect(changes.at(-1)).toMatchObject({ from: 'open', to: 'closed', reason: { trigger: 'manual', action: 'forceClose', by: 'desk-7', why: 'venue resumed' } });
    expect(await breaker.execute(() => 'sent')).toBe('sent');
  });

  it('forceOpen on a tripped breaker cancels its scheduled recovery', async () => {
    const { breaker, clock } = harness();
    await failCalls(breaker, 5);
    breaker.forceOpen(desk);
    clock.increment(30_000);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().nextAttemptAt).toBeNull();
  });

  it('reset leaves a forced open for closed with a fresh window, streak and attempt', async () => {
    const { breaker, clock, changes } = harness();
    await failCalls(breaker, 5);
    clock.increment(30_000);
    await timedCall(breaker, clock, 1, new NodeDown('down')); // attempt 1
    breaker.forceOpen(desk);
    breaker.reset({ by: 'ops', why: 'all clear' });
    expect(breaker.state).toBe('closed');
    expect(changes.at(-1)!.reason).toEqual({ trigger: 'manual', action: 'reset', by: 'ops', why: 'all clear' });
    expect(breaker.stats()).toMatchObject({ samples: 0, consecutiveFailures: 0, attempt: 0, nextAttemptAt: null });
  });

  it('disable lets everything through, measures it, and never trips; reset resumes judging', async () => {
    const { breaker, clock, changes } = harness();
    breaker.disable(desk);
    expect(breaker.state).toBe('disabled');
    expect(changes.at(-1)).toMatchObject({ from: 'closed', to: 'disabled', reason: { trigger: 'manual', action: 'disable', ...desk } });
    let invoked = 0;
    for (let i = 0; i < 200; i++) {
      await outcome(
        breaker.execute(() => {
          invoked++;
          clock.increment(400);
          return Promise.reject(new NodeDown('down'));
        }),
      );
    }
    expect(invoked).toBe(200);
    expect(breaker.state).toBe('disabled');
    expect(breaker.stats()).toMatchObject({ state: 'disabled', samples: 200, errorRate: 1, counts: { failed: 200, rejected: 0 } });
    clock.increment(3_600_000);
    expect(breaker.state).toBe('disabled');

    breaker.reset({ by: 'desk-7', why: 'shadow test over' });
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().samples).toBe(0);
    await failCalls(breaker, 5);
    expect(breaker.state).toBe('open');
  });

  it('disable from open lets calls through at once', async () => {
    const { breaker } = harness();
    await failCalls(breaker, 5);
    breaker.disable(desk);
    expect(await breaker.execute(() => 'through')).toBe('through');
  });

  it('forceClose from open closes with a clean window, so the old samples cannot re-trip', async () => {
    const { breaker, clock } = harness();
    await timedCalls(breaker, clock, 900, 100);
    expect(breaker.state).toBe('open');
    breaker.forceClose(desk);
    await timedCall(breaker, clock, 900);
    expect(breaker.state).toBe('closed');
  });

  it('each control emits one state change with { trigger: "manual", action, by, why }', async () => {
    const { breaker, changes } = harness();
    breaker.forceOpen({ by: 'a', why: '1' });
    breaker.forceClose({ by: 'b', why: '2' });
    breaker.disable({ by: 'c', why: '3' });
    breaker.reset({ by: 'd', why: '4' });
    expect(changes.map((c) => [c.from, c.to, c.reason])).toEqual([
      ['closed', 'open', { trigger: 'manual', action: 'forceOpen', by: 'a', why: '1' }],
      ['open', 'closed', { trigger: 'manual', action: 'forceClose', by: 'b', why: '2' }],
      ['closed', 'disabled', { trigger: 'manual', action: 'disable', by: 'c', why: '3' }],
      ['disabled', 'closed', { trigger: 'manual', action: 'reset', by: 'd', why: '4' }],
    ]);
  });

  it('forceClose on a closed breaker starts a fresh window and failure streak ("closes now, whatever the state")', async () => {
    const { breaker } = harness();
    await failCalls(breaker, 4);
    breaker.forceClose(desk);
    expect(breaker.stats()).toMatchObject({ state: 'closed', consecutiveFailures: 0, samples: 0 });
    await failCalls(breaker, 1); // one failure after a fresh start must not trip
    expect(breaker.state).toBe('closed');
  });

  it('reset on a closed breaker starts a fresh window and failure streak', async () => {
    const { breaker, clock } = harness();
    await timedCalls(breaker, clock, 900, 60);
    await failCalls(breaker, 4);
    breaker.reset({ by: 'ops', why: 'new session' });
    expect(breaker.stats()).toMatchObject({ state: 'closed', consecutiveFailures: 0, samples: 0, p99Ms: null });
    await failCalls(breaker, 1);
    expect(breaker.state).toBe('closed');
  });

  it('refuses a control that is not an object, or whose by / why is not a string, and changes nothing', () => {
    const { breaker, changes } = harness();
    expect(() => breaker.forceOpen(null as never)).toThrow(TypeError);
    expect(() => breaker.forceOpen('desk-7' as never)).toThrow(TypeError);
    expect(() => breaker.forceClose(42 as never)).toThrow(TypeError);
    expect(() => breaker.forceOpen({ by: 7, why: 'x' } as never)).toThrow(TypeError);
    expect(() => breaker.disable({ by: 'x', why: {} } as never)).toThrow(TypeError);
    expect(() => breaker.reset({ by: null, why: 'x' } as never)).toThrow(TypeError);
    expect(breaker.state).toBe('closed');
    expect(changes).toEqual([]);
  });

  it('records a missing control, by or why as by "unknown", why "unspecified" in the audit trail', () => {
    const { breaker, changes } = harness();
    breaker.forceOpen({ by: 'x' });
    breaker.forceClose();
    breaker.disable({ why: 'shadow test' });
    breaker.reset({});
    expect(changes.map((c) => [c.from, c.to, c.reason])).toEqual([
      ['closed', 'open', { trigger: 'manual', action: 'forceOpen', by: 'x', why: 'unspecified' }],
      ['open', 'closed', { trigger: 'manual', action: 'forceClose', by: 'unknown', why: 'unspecified' }],
      ['closed', 'disabled', { trigger: 'manual', action: 'disable', by: 'unknown', why: 'shadow test' }],
      ['disabled', 'closed', { trigger: 'manual', action: 'reset', by: 'unknown', why: 'unspecified' }],
    ]);
  });

  it('audits a repeated control in the same state as a change of its own (from === to)', async () => {
    const { breaker, changes } = harness();
    breaker.reset({ by: 'a', why: 'start of day' });
    breaker.forceClose({ by: 'b', why: 'again' });
    breaker.forceOpen({ by: 'c', why: 'halt' });
    breaker.forceOpen({ by: 'd', why: 'still halted' });
    breaker.disable({ by: 'e', why: 'shadow' });
    breaker.disable({ by: 'f', why: 'still shadow' });
    expect(changes.map((c) => [c.from, c.to, c.reason])).toEqual([
      ['closed', 'closed', { trigger: 'manual', action: 'reset', by: 'a', why: 'start of day' }],
      ['closed', 'closed', { trigger: 'manual', action: 'forceClose', by: 'b', why: 'again' }],
      ['closed', 'open', { trigger: 'manual', action: 'forceOpen', by: 'c', why: 'halt' }],
      ['open', 'open', { trigger: 'manual', action: 'forceOpen', by: 'd', why: 'still halted' }],
      ['open', 'disabled', { trigger: 'manual', action: 'disable', by: 'e', why: 'shadow' }],
      ['disabled', 'disabled', { trigger: 'manual', action: 'disable', by: 'f', why: 'still shadow' }],
    ]);
    // a repeated forceOpen keeps it a kill switch: still no automatic recovery, calls still refused
    breaker.forceOpen({ by: 'g', why: 'halt' });
    breaker.forceOpen({ by: 'h', why: 'halt' });
    expect(breaker.stats()).toMatchObject({ state: 'open', nextAttemptAt: null });
    const o = await outcome(breaker.execute(() => 'sent'));
    expect(isCircuitOpenError((o as { error: unknown }).error)).toBe(true);
    // a second disable keeps what shadow mode has measured
    breaker.disable({ by: 'i', why: 'shadow' });
    await failCalls(breaker, 3);
    breaker.disable({ by: 'j', why: 'shadow' });
    expect(breaker.stats()).toMatchObject({ state: 'disabled', samples: 3, consecutiveFailures: 3 });
  });
});
