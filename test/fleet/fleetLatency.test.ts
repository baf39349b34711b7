import { afterEach, describe, expect, it } from 'vitest';
import { FleetInstance } from './FleetInstance.js';
import { redisUrl, uniqueFleet } from './fleetOptions.js';

let instances: FleetInstance[] = [];
afterEach(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  instances = [];
});

/** Nearest-rank empirical CDF of `sorted` at `x`: the share of samples ≤ x. */
const cdf = (sorted: number[], x: number): number => {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo / sorted.length;
};

describe('fleet-wide latency', () => {
  it('merges every instance’s t-digest into quantiles that match the exact quantiles of all samples together', async () => {
    const fleet = uniqueFleet('latency');
    const options = { latencyThresholdMs: 10_000, windowSize: 1_000, minimumSamples: 1_000 };
    instances = await Promise.all(
      // The default fleet options: latency sharing is on, read from each breaker's window on a timer.
      ['a', 'b', 'c'].map((instance) => FleetInstance.start({ redisUrl: redisUrl(), fleet, instance, breaker: 'venue', options })),
    );
    // Each instance sees a different latency profile: the fleet's P99 is nobody's P99.
    const profile = (base: number, tail: number, seed: number) =>
      Array.from({ length: 400 }, (_, k) => ((k * 7919 + seed) % 400 < 8 ? tail : base + ((k * 31 + seed) % 15)));
    await Promise.all(instances.map((inst, idx) => inst.send('calls', { latencies: profile(1 + idx * 10, 60 + idx * 20, idx) })));
    await Promise.all(instances.map((i) => i.send('pushLatency')));

    const all = (await Promise.all(instances.map((i) => i.send<number[]>('samples')))).flat().sort((x, y) => x - y);
    expect(all).toHaveLength(1_200);
    const merged = await instances[0]!.send('latency');
    expect(merged).toMatchObject({ count: 1_200, instances: 3, complete: true });
    // Quantile estimates judged by rank against the exact union (t-digest's guarantee is on rank).
    for (const [q, value] of [[0.5, merged.p50], [0.99, merged.p99], [0.999, merged.p999]] as const) {
      expect(Math.abs(cdf(all, value) - q)).toBeLessThanOrEqual(0.01);
    }
    const exactP99 = all[Math.ceil(0.99 * all.length) - 1]!;
    expect(Math.abs(merged.p99 - exactP99)).toBeLessThan(0.1 * exactP99);
    // Every instance sees the same fleet numbers.
    const fromC = await instances[2]!.send('latency');
    expect(fromC.count).toBe(1_200);
    expect(Math.abs(cdf(all, fromC.p99) - 0.99)).toBeLessThanOrEqual(0.01);
  });
});
