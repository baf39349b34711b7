import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { ConfigError, createCircuitBreaker, isCircuitOpenError, isConfigError, type BreakerSnapshot } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { failCalls, timedCall, timedCalls } from './helpers/calls.js';
import { harness } from './helpers/harness.js';

/** The snapshot as it would come back from a file or Redis. */
const throughJson = (s: BreakerSnapshot): unknown => JSON.parse(JSON.stringify(s));

/** A new process: a fresh simulated clock set to `now`, restoring `snapshot`. */
function restart(snapshot: unknown, now: number) {
  const clock = new SimulatedClock();
  clock.set(now);
  return harness({ clock, restore: snapshot });
}

function restoreErrorOf(restore: unknown): ConfigError {
  try {
    createCircuitBreaker({ name: 'venue', clock: new SimulatedClock(), restore }).dispose();
  } catch (e) {
    if (isConfigError(e)) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('snapshot() and restore', () => {
  it('an open breaker restored from JSON stays open for the remaining time, then recovers', async () => {
    const first = harness();
    first.clock.increment(1_000);
    await failCalls(first.breaker, 5); // open until 31 000
    first.clock.increment(10_000);
    const saved = throughJson(first.breaker.snapshot());
    first.breaker.dispose();

    const { breaker, clock, changes } = restart(saved, 11_000);
    expect(breaker.state).toBe('open');
    const refused = await outcome(breaker.execute(() => 'sent'));
    expect(!refused.ok && isCircuitOpenError(refused.error) && refused.error.retryAfterMs).toBe(20_000);
    expect(breaker.stats()).toMatchObject({ state: 'open', nextAttemptAt: 31_000, attempt: 0 });

    clock.increment(19_999);
    expect(breaker.state).toBe('open');
    clock.increment(1);
    expect(breaker.state).toBe('halfOpen');
    await timedCall(breaker, clock, 10);
    expect(breaker.state).toBe('closed');
    expect(changes.map((c) => c.to)).toEqual(['halfOpen', 'closed']);
    breaker.dispose();
  });

  it('an open breaker whose deadline passed while it was down recovers at once', async () => {
    const first = harness();
    await failCalls(first.breaker, 5);
    const saved = throughJson(first.breaker.snapshot());
    first.breaker.dispose();
    const { breaker, clock } = restart(saved, 60_000);
    clock.increment(0);
    expect(breaker.state).toBe('halfOpen');
    breaker.dispose();
  });

  it('keeps the attempt, so the backoff goes on growing after a restart', async () => {
    const first = harness();
    await failCalls(first.breaker, 5);
    first.clock.increment(30_000);
    await timedCall(first.breaker, first.clock, 1, new Error('down')); // attempt 1: 60 s from 30 001
    const saved = throughJson(first.breaker.snapshot());
    first.breaker.dispose();
    const { breaker, clock, changes } = restart(saved, 30_001);
    expect(breaker.stats()).toMatchObject({ attempt: 1, nextAttemptAt: 90_001 });
    clock.increment(60_000);
    await timedCall(breaker, clock, 1, new Error('down'));
    expect(changes.at(-1)).toMatchObject({ to: 'open', attempt: 2 });
    expect(changes.at(-1)!.nextAttemptAt! - changes.at(-1)!.at).toBe(120_000);
    breaker.dispose();
  });

  it('never stays open longer than recovery.maxDelayMs after a restore, even if the saved deadline is further (clock skew between hosts)', async () => {
    const skewed = new SimulatedClock();
    skewed.set(1_000_000_000); // the host that saved it ran ~11.6 days ahead
    const first = harness({ clock: skewed });
    await failCalls(first.breaker, 5);
    const saved = throughJson(first.breaker.snapshot());
    first.breaker.dispose();

    const { breaker, clock } = restart(saved, 0);
    expect(breaker.state).toBe('open');
    clock.increment(300_000); // the longest any backoff may be
    expect(breaker.state).toBe('halfOpen');
    breaker.dispose();
  });

  it('a half-open breaker comes back open (its probes died with the process) and recovers after a backoff', async () => {
    const first = harness();
    await failCalls(first.breaker, 5);
    first.clock.increment(30_000);
    expect(first.breaker.state).toBe('halfOpen');
    const saved = throughJson(first.breaker.snapshot());
    first.breaker.dispose();

    const { breaker, clock } = restart(saved, 30_000);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().nextAttemptAt).toBeGreaterThan(30_000);
    const refused = await outcome(breaker.execute(() => 'sent'));
    expect(!refused.ok && isCircuitOpenError(refused.error) && refused.error.reason).toMatchObject({ trigger: 'restored', from: 'halfOpen' });
    clock.increment(breaker.stats().nextAttemptAt! - clock.now());
    expect(breaker.state).toBe('halfOpen');
    breaker.dispose();
  });

  it('a closed breaker restores its window: samples, exact P99 and failure streak', async () => {
    const first = harness();
    await timedCalls(first.breaker, first.clock, 50, 60);
    await timedCalls(first.breaker, first.clock, 150, 3);
    await failCalls(first.breaker, 2);
    const before = first.breaker.stats();
    const saved = throughJson(first.breaker.snapshot());
    first.breaker.dispose();
    const { breaker } = restart(saved, 0);
    expect(breaker.stats()).toMatchObject({
      state: 'closed',
      samples: before.samples,
      p99Ms: before.p99Ms,
      errorRate: before.errorRate,
      consecutiveFailures: 2,
    });
    await failCalls(breaker, 3); // the streak continues: 2 + 3 = 5
    expect(breaker.state).toBe('open');
    breaker.dispose();
  });

  it('a forced-open breaker stays forced open after a restart', async () => {
    const first = harness();
    first.breaker.forceOpen({ by: 'desk', why: 'halt' });
    const saved = throughJson(first.breaker.snapshot());
    first.breaker.dispose();
    const { breaker, clock } = restart(saved, 0);
    clock.increment(3_600_000);
    expect(breaker.state).toBe('open');
    expect(breaker.stats().nextAttemptAt).toBeNull();
    breaker.dispose();
  });

  it('the snapshot is versioned and plain JSON', async () => {
    const { breaker, clock } = harness();
    clock.increment(42);
    await failCalls(breaker, 1);
    const s = breaker.snapshot();
    expect(s).toMatchObject({ format: 'p99-breaker/snapshot', version: 1, name: 'venue', takenAt: 42 });
    expect(throughJson(s)).toEqual(s);
    breaker.dispose();
  });

  describe('refuses a bad snapshot with a ConfigError naming `restore`', () => {
    const good = (): Record<string, unknown> => {
      const { breaker } = harness();
      const s = throughJson(breaker.snapshot()) as Record<string, unknown>;
      breaker.dispose();
      return s;
    };
    const cases: Array<[string, () => unknown]> = [
      ['a string', () => 'not a snapshot'],
      ['null', () => null],
      ['a wrong format', () => ({ ...good(), format: 'other' })],
      ['a wrong version', () => ({ ...good(), version: 2 })],
      ['another breaker’s snapshot', () => ({ ...good(), name: 'other-venue' })],
      ['an unknown machine state', () => ({ ...good(), machine: { ...(good().machine as object), value: 'exploded' } })],
      ['a machine that is not active', () => ({ ...good(), machine: { ...(good().machine as object), status: 'done' } })],
      ['a missing machine', () => ({ ...good(), machine: undefined })],
      ['window arrays of different lengths', () => ({ ...good(), window: { latenciesMs: [1, 2], failed: [false], consecutiveFailures: 0 } })],
      ['a non-number latency', () => ({ ...good(), window: { latenciesMs: ['fast'], failed: [false], consecutiveFailures: 0 } })],
      ['a negative streak', () => ({ ...good(), window: { latenciesMs: [], failed: [], consecutiveFailures: -1 } })],
    ];
    it.each(cases)('%s', (_label, make) => {
      const e = restoreErrorOf(make());
      expect(e.problems).toHaveLength(1);
      expect(e.problems[0]!.option).toBe('restore');
      expect(e.message).toContain('restore');
    });
  });
});
