import { describe, expect, it } from 'vitest';
import { failCalls, NodeDown, timedCall, timedCalls } from './helpers/calls.js';
import { harness } from './helpers/harness.js';

describe('closed → open by consecutive failures', () => {
  it('opens on the 5th failure in a row (default failureThreshold) and not before', async () => {
    const { breaker, changes } = harness();
    await failCalls(breaker, 4);
    expect(breaker.state).toBe('closed');
    await failCalls(breaker, 1);
    expect(breaker.state).toBe('open');
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ from: 'closed', to: 'open', reason: { trigger: 'consecutiveFailures', value: 5, threshold: 5 } });
  });

  it('a success in between restarts the streak', async () => {
    const { breaker, clock } = harness();
    await failCalls(breaker, 4);
    await timedCall(breaker, clock, 10);
    await failCalls(breaker, 4);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().consecutiveFailures).toBe(4);
    await failCalls(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('honours a custom failureThreshold', async () => {
    const { breaker, changes } = harness({ failureThreshold: 2 });
    await failCalls(breaker, 2);
    expect(breaker.state).toBe('open');
    expect(changes[0]!.reason).toEqual({ trigger: 'consecutiveFailures', value: 2, threshold: 2 });
  });

  it('does not trip on 3 slow failing calls (minimumSamples and the streak both protect it)', async () => {
    const { breaker, clock } = harness();
    await timedCalls(breaker, clock, 5_000, 3, new NodeDown('timeout'));
    expect(breaker.state).toBe('closed');
    expect(breaker.stats()).toMatchObject({ samples: 3, errorRate: 1, consecutiveFailures: 3, p99Ms: 5_000 });
  });
});

describe('closed → open by P99 latency', () => {
  it('opens when the nearest-rank P99 of 100 samples is strictly greater than 200 ms', async () => {
    const { breaker, clock, changes } = harness();
    await timedCalls(breaker, clock, 10, 98);
    await timedCall(breaker, clock, 201);
    expect(breaker.state).toBe('closed'); // 99 samples: below minimumSamples
    await timedCall(breaker, clock, 201);
    // n = 100: P99 is the 99th smallest = 201 > 200
    expect(breaker.state).toBe('open');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.reason).toEqual({ trigger: 'p99', valueMs: 201, thresholdMs: 200, value: 201, threshold: 200, samples: 100, inFlightSlow: 0 });
  });

  it('does not open when the P99 equals the threshold exactly', async () => {
    const { breaker, clock } = harness();
    await timedCalls(breaker, clock, 10, 90);
    await timedCalls(breaker, clock, 200, 10);
    expect(breaker.stats().p99Ms).toBe(200);
    expect(breaker.state).toBe('closed');
  });

  it('tolerates exactly one slow call in 100 (the P99 is then the 99th smallest, a fast one)', async () => {
    const { breaker, clock } = harness();
    await timedCall(breaker, clock, 900);
    await timedCalls(breaker, clock, 10, 99);
    expect(breaker.stats()).toMatchObject({ samples: 100, p99Ms: 10 });
    expect(breaker.state).toBe('closed');
    await timedCall(breaker, clock, 900); // 2 of 101 slow: P99 = 101st·0.99 → 100th smallest = 900
    expect(breaker.state).toBe('open');
  });

  it('waits for minimumSamples: 99 slow calls do not trip, the 100th does', async () => {
    const { breaker, clock, changes } = harness();
    await timedCalls(breaker, clock, 250, 99);
    expect(breaker.state).toBe('closed');
    await timedCall(breaker, clock, 250);
    expect(breaker.state).toBe('open');
    expect(changes[0]!.reason).toMatchObject({ trigger: 'p99', valueMs: 250, thresholdMs: 200, samples: 100 });
  });

  it('honours a custom minimumSamples and latencyThresholdMs', async () => {
    const { breaker, clock, changes } = harness({ minimumSamples: 10, latencyThresholdMs: 50 });
    await timedCalls(breaker, clock, 51, 9);
    expect(breaker.state).toBe('closed');
    await timedCall(breaker, clock, 51);
    expect(breaker.state).toBe('open');
    expect(changes[0]!.reason).toMatchObject({ trigger: 'p99', valueMs: 51, thresholdMs: 50, samples: 10 });
  });

  it("counts a failed call's latency too", async () => {
    const { breaker, clock, changes } = harness();
    await timedCalls(breaker, clock, 10, 97);
    await timedCall(breaker, clock, 300, new NodeDown('slow 503'));
    await timedCall(breaker, clock, 10);
    expect(breaker.state).toBe('closed');
    await timedCall(breaker, clock, 300, new NodeDown('slow 503'));
    // streak 1, error rate 2 %: only the latency rule can have fired
    expect(breaker.state).toBe('open');
    expect(changes[0]!.reason).toMatchObject({ trigger: 'p99', valueMs: 300 });
  });
});

describe('closed → open by error rate', () => {
  it('opens when failures reach half of 100 samples, with no streak long enough', async () => {
    const { breaker, clock, changes } = harness();
    for (let i = 0; i < 49; i++) {
      await timedCall(breaker, clock, 5, new NodeDown('503'));
      await timedCall(breaker, clock, 5);
    }
    await timedCall(breaker, clock, 5);
    expect(breaker.state).toBe('closed'); // 99 samples
    await timedCall(breaker, clock, 5, new NodeDown('503'));
    // 50 / 100 = 0.5 ≥ 0.5
    expect(breaker.state).toBe('open');
    expect(changes[0]!.reason).toEqual({ trigger: 'errorRate', value: 0.5, threshold: 0.5, samples: 100 });
  });

  it('stays closed just under the rate', async () => {
    const { breaker, clock } = harness();
    for (let i = 0; i < 49; i++) {
      await timedCall(breaker, clock, 5, new NodeDown('503'));
      await timedCall(breaker, clock, 5);
    }
    await timedCalls(breaker, clock, 5, 2);
    expect(breaker.stats()).toMatchObject({ samples: 100, errorRate: 0.49 });
    expect(breaker.state).toBe('closed');
  });

  it('does not apply the rate before minimumSamples (2 failures of 3 calls)', async () => {
    const { breaker, clock } = harness();
    await timedCall(breaker, clock, 5, new NodeDown('503'));
    await timedCall(breaker, clock, 5);
    await timedCall(breaker, clock, 5, new NodeDown('503'));
    expect(breaker.stats().errorRate).toBeCloseTo(2 / 3);
    expect(breaker.state).toBe('closed');
  });

  it('honours a custom errorRateThreshold', async () => {
    const { breaker, clock, changes } = harness({ windowSize: 10, minimumSamples: 10, errorRateThreshold: 0.2 });
    await timedCall(breaker, clock, 5);
    await timedCall(breaker, clock, 5, new NodeDown('503'));
    for (let i = 0; i < 8; i++) await timedCall(breaker, clock, 5);
    expect(breaker.state).toBe('closed'); // 1 / 10
    await timedCall(breaker, clock, 5, new NodeDown('503'));
    // the oldest (a success) is evicted: 2 / 10 = 0.2 ≥ 0.2
    expect(breaker.state).toBe('open');
    expect(changes[0]!.reason).toEqual({ trigger: 'errorRate', value: 0.2, threshold: 0.2, samples: 10 });
  });

  it('needs at least one failure: errorRateThreshold 0 never trips on successes, and trips on the first failure', async () => {
    const { breaker, clock, changes } = harness({ windowSize: 10, minimumSamples: 0, errorRateThreshold: 0 });
    await timedCalls(breaker, clock, 5, 25); // the window wraps, error rate 0 ≥ 0, yet no failure
    expect(breaker.state).toBe('closed');
    expect(breaker.stats()).toMatchObject({ samples: 10, errorRate: 0 });
    await timedCall(breaker, clock, 5, new NodeDown('503'));
    expect(breaker.state).toBe('open');
    expect(changes[0]!.reason).toEqual({ trigger: 'errorRate', value: 0.1, threshold: 0, samples: 10 });
  });

  it('with minimumSamples 0 judges the rate from the very first call', async () => {
    const { breaker, clock, changes } = harness({ minimumSamples: 0 });
    await timedCall(breaker, clock, 5, new NodeDown('503'));
    expect(breaker.state).toBe('open'); // 1 / 1 ≥ 0.5
    expect(changes[0]!.reason).toEqual({ trigger: 'errorRate', value: 1, threshold: 0.5, samples: 1 });
  });
});

describe('latencyThresholdMs: Infinity turns the P99 rule off', () => {
  it('never opens on latency, however slow, while the other rules still apply', async () => {
    const { breaker, clock } = harness({ latencyThresholdMs: Infinity });
    await timedCalls(breaker, clock, 3_600_000, 200);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats()).toMatchObject({ samples: 200, p99Ms: 3_600_000, counts: { slow: 0 } });
    await failCalls(breaker, 5);
    expect(breaker.state).toBe('open');
  });
});
