import { describe, expect, it } from 'vitest';
import type { StateChange } from '../../src/index.js';
import { settle } from '../support/settle.js';
import { failCalls, NodeDown, timedCall } from './helpers/calls.js';
import { harness } from './helpers/harness.js';

describe('onStateChange and stateChanges$', () => {
  it('gives listeners { from, to, reason, at, attempt, nextAttemptAt }, with breaker readable but not enumerable', async () => {
    const { breaker, clock } = harness();
    const seen: StateChange[] = [];
    breaker.onStateChange((c) => seen.push(c));
    clock.increment(1_234);
    await failCalls(breaker, 5);
    expect(seen).toEqual([
      {
        from: 'closed',
        to: 'open',
        reason: { trigger: 'consecutiveFailures', value: 5, threshold: 5 },
        at: 1_234,
        attempt: 0,
        nextAttemptAt: 31_234,
      },
    ]);
    expect(seen[0]!.breaker).toBe('venue');
    expect(Object.keys(seen[0]!).sort()).toEqual(['at', 'attempt', 'from', 'nextAttemptAt', 'reason', 'to']);
    expect(JSON.parse(JSON.stringify(seen[0]))).not.toHaveProperty('breaker');
    clock.increment(30_000);
    // entering half-open clears the deadline: no recovery attempt is scheduled while probing
    expect(seen[1]).toEqual({
      from: 'open',
      to: 'halfOpen',
      reason: { trigger: 'recoveryDue', attempt: 0 },
      at: 31_234,
      attempt: 0,
      nextAttemptAt: null,
    });
    expect(seen[1]!.breaker).toBe('venue');
    expect(breaker.stats().nextAttemptAt).toBeNull();
  });

  it('returns an unsubscribe function', async () => {
    const { breaker } = harness();
    const seen: StateChange[] = [];
    const unsubscribe = breaker.onStateChange((c) => seen.push(c));
    breaker.forceOpen({ by: 't', why: '1' });
    unsubscribe();
    unsubscribe(); // twice is harmless
    breaker.forceClose({ by: 't', why: '2' });
    expect(seen.map((c) => c.to)).toEqual(['open']);
  });

  it('reports a listener that throws to the logger; other listeners still run and nothing else changes', async () => {
    const { breaker, logger } = harness();
    const boom = new Error('listener bug');
    const before: string[] = [];
    const after: string[] = [];
    breaker.onStateChange((c) => before.push(c.to));
    breaker.onStateChange(() => {
      throw boom;
    });
    breaker.onStateChange((c) => after.push(c.to));
    const streamed: string[] = [];
    breaker.stateChanges$.subscribe((c) => streamed.push(c.to));

    await failCalls(breaker, 5);
    expect(breaker.state).toBe('open');
    expect(before).toEqual(['open']);
    expect(after).toEqual(['open']);
    expect(streamed).toEqual(['open']);
    const errors = logger.at('error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fields).toMatchObject({ breaker: 'venue', err: boom });

    breaker.forceClose({ by: 't', why: 'again' }); // still working afterwards
    expect(after).toEqual(['open', 'closed']);
    expect(logger.at('error')).toHaveLength(2);
  });

  it('survives a listener that throws a non-Error and a logger that throws', async () => {
    const { breaker } = harness({
      logger: {
        info: () => {
          throw new Error('logger down');
        },
        warn: () => {
          throw new Error('logger down');
        },
        error: () => {
          throw new Error('logger down');
        },
      },
    });
    const after: string[] = [];
    breaker.onStateChange(() => {
      throw 'a string';
    });
    breaker.onStateChange((c) => after.push(c.to));
    await failCalls(breaker, 5);
    expect(breaker.state).toBe('open');
    expect(after).toEqual(['open']);
  });

  it('stateChanges$ emits the same changes as the listeners, in order', async () => {
    const { breaker, clock, changes } = harness();
    const streamed: StateChange[] = [];
    const sub = breaker.stateChanges$.subscribe((c) => streamed.push(c));
    await failCalls(breaker, 5);
    clock.increment(30_000);
    await failCalls(breaker, 1);
    breaker.forceClose({ by: 't', why: 'x' });
    expect(streamed.map((c) => c.to)).toEqual(['open', 'halfOpen', 'open', 'closed']);
    expect(streamed).toEqual(changes);
    sub.unsubscribe();
  });

  it('reports a re-planned stay in open as open → open', async () => {
    const { breaker, clock, changes } = harness({ healthCheck: async () => false });
    await failCalls(breaker, 5);
    clock.increment(30_000);
    await settle();
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['closed→open', 'open→open']);
  });

  it('a listener that uses a control re-entrantly sees the changes in order, as does stateChanges$', async () => {
    const { breaker, changes } = harness();
    const streamed: string[] = [];
    breaker.stateChanges$.subscribe((c) => streamed.push(`${c.from}→${c.to}`));
    breaker.onStateChange((c) => {
      if (c.to === 'open') breaker.forceClose({ by: 'auto-desk', why: 'override' });
    });
    await failCalls(breaker, 5);
    expect(breaker.state).toBe('closed');
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['closed→open', 'open→closed']);
    expect(streamed).toEqual(['closed→open', 'open→closed']);
  });

  it('samples$ emits { latencyMs, failed, at } for every completed call, a 0 ms failure included', async () => {
    const { breaker, clock } = harness();
    const seen: unknown[] = [];
    const sub = breaker.samples$.subscribe((s) => seen.push(s));
    await timedCall(breaker, clock, 30);
    await timedCall(breaker, clock, 7, new NodeDown('503'));
    await timedCall(breaker, clock, 0, new NodeDown('503'));
    await timedCall(breaker, clock, 0);
    expect(seen).toEqual([
      { latencyMs: 30, failed: false, at: 30 },
      { latencyMs: 7, failed: true, at: 37 },
      { latencyMs: 0, failed: true, at: 37 },
      { latencyMs: 0, failed: false, at: 37 },
    ]);
    sub.unsubscribe();
  });

  it('refuses a listener that is not a function', () => {
    const { breaker } = harness();
    expect(() => breaker.onStateChange('nope' as never)).toThrow(TypeError);
  });
});
