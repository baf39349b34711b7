import { describe, expect, it } from 'vitest';
import { failCalls, NodeDown, timedCall } from './helpers/calls.js';
import { deferred } from './helpers/deferred.js';
import { harness } from './helpers/harness.js';
import { seededRandom } from '../../src/demo/seededRandom.js';

/** The nearest-rank P99 by sorting: the independent oracle. */
function sortedP99(latencies: readonly number[]): number | null {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort((a, b) => a - b);
  return sorted[Math.ceil(0.99 * sorted.length) - 1]!;
}

describe('stats()', () => {
  it('has the documented shape on a fresh breaker: no samples, p99Ms null, all counts 0', () => {
    const { breaker } = harness();
    const stats = breaker.stats();
    expect(stats).toEqual({
      state: 'closed',
      p99Ms: null,
      samples: 0,
      errorRate: 0,
      consecutiveFailures: 0,
      attempt: 0,
      nextAttemptAt: null,
      counts: { succeeded: 0, failed: 0, rejected: 0, slow: 0 },
    });
    // exactly these enumerable fields: what JSON, spread and deep equality see
    expect(Object.keys(stats).sort()).toEqual(['attempt', 'consecutiveFailures', 'counts', 'errorRate', 'nextAttemptAt', 'p99Ms', 'samples', 'state']);
    expect(Object.keys(stats.counts).sort()).toEqual(['failed', 'rejected', 'slow', 'succeeded']);
    expect(JSON.parse(JSON.stringify(stats))).toEqual({ ...stats, counts: { ...stats.counts } });
    // the extras are readable as properties
    expect(stats.name).toBe('venue');
    expect(stats.inFlight).toBe(0);
    expect(stats.latencyThresholdMs).toBe(200);
    expect(stats.counts.aborted).toBe(0);
    expect(stats.counts.businessRejected).toBe(0);
  });

  it('exposes the configured latencyThresholdMs as a non-enumerable extra', () => {
    const { breaker } = harness({ latencyThresholdMs: 75 });
    const stats = breaker.stats();
    expect(stats.latencyThresholdMs).toBe(75);
    expect(Object.keys(stats)).not.toContain('latencyThresholdMs');
    expect(Object.keys(stats)).not.toContain('name');
    expect(Object.keys(stats)).not.toContain('inFlight');
  });

  it('gives the exact nearest-rank P99 of the window (checked against sorting)', async () => {
    const { breaker, clock } = harness({ latencyThresholdMs: 10_000 });
    const random = seededRandom(7);
    const latencies = Array.from({ length: 200 }, (_, i) => i + 1);
    for (let i = latencies.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [latencies[i], latencies[j]] = [latencies[j]!, latencies[i]!];
    }
    for (const l of latencies) await timedCall(breaker, clock, l);
    expect(breaker.stats().p99Ms).toBe(198);
    expect(breaker.stats().p99Ms).toBe(sortedP99(latencies));
  });

  it('judges only the last windowSize calls', async () => {
    const { breaker, clock } = harness({ windowSize: 50, minimumSamples: 50, latencyThresholdMs: 10_000 });
    const random = seededRandom(11);
    const all: number[] = [];
    for (let i = 0; i < 137; i++) {
      const l = Math.floor(random() * 5_000);
      all.push(l);
      await timedCall(breaker, clock, l);
    }
    expect(breaker.stats()).toMatchObject({ samples: 50, p99Ms: sortedP99(all.slice(-50)) });
  });

  it('counts succeeded, failed, rejected and slow; reports errorRate, streak and in-flight calls', async () => {
    const { breaker, clock } = harness();
    await timedCall(breaker, clock, 250);
    await timedCall(breaker, clock, 10);
    await timedCall(breaker, clock, 300, new NodeDown('slow failure'));
    await timedCall(breaker, clock, 10, new NodeDown('fast failure'));
    const pending = deferred<string>();
    const call = breaker.execute(() => pending.promise);
    expect(breaker.stats()).toMatchObject({
      samples: 4,
      errorRate: 0.5,
      consecutiveFailures: 2,
      p99Ms: 300,
      counts: { succeeded: 2, failed: 2, rejected: 0, slow: 2 },
    });
    expect(breaker.stats().inFlight).toBe(1);
    expect(breaker.stats().counts.aborted).toBe(0);
    expect(breaker.stats().counts.businessRejected).toBe(0);
    pending.resolve('ok');
    await call;
    expect(breaker.stats()).toMatchObject({ consecutiveFailures: 0, counts: { succeeded: 3 } });
    expect(breaker.stats().inFlight).toBe(0);
  });

  it('shows state, attempt and nextAttemptAt while open', async () => {
    const { breaker, clock } = harness();
    clock.increment(500);
    await failCalls(breaker, 5);
    await breaker.execute(() => 1).catch(() => {});
    expect(breaker.stats()).toMatchObject({ state: 'open', attempt: 0, nextAttemptAt: 30_500, counts: { failed: 5, rejected: 1 } });
    clock.increment(30_000);
    await timedCall(breaker, clock, 1, new NodeDown('x'));
    expect(breaker.stats()).toMatchObject({ state: 'open', attempt: 1, nextAttemptAt: 30_501 + 60_000 });
  });
});
