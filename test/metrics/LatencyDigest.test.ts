import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  createCircuitBreaker,
  LatencyDigest,
  mergeLatencyDigests,
  trackLatencyDigest,
  type CircuitBreaker,
  type Clock,
  type LatencyDigestJSON,
  type Logger,
} from '../../src/index.js';

// Oracle: the exact rank of an estimate in the sorted union. An estimate v is correct for q when q·n lies
// in [#{x < v}, #{x ≤ v}]; the rank error is the distance from q·n to that interval.
function rankError(sorted: Float64Array, v: number, q: number): number {
  const lo = lowerBound(sorted, v, false);
  const hi = lowerBound(sorted, v, true);
  const target = q * sorted.length;
  return target < lo ? lo - target : target > hi ? target - hi : 0;
}
function lowerBound(sorted: Float64Array, v: number, inclusive: boolean): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (inclusive ? sorted[mid]! <= v : sorted[mid]! < v) a = mid + 1;
    else b = mid;
  }
  return a;
}

// Stated tolerances, in rank error as a share of n (compression 100 and 200), plus 1 rank for small n.
const TOLERANCE: ReadonlyArray<readonly [q: number, share: number]> = [
  [0.5, 0.01],
  [0.9, 0.01],
  [0.99, 0.002],
  [0.999, 0.001],
];

/** Deterministic latency generators (ms), from a seed: the shapes a venue produces. */
function generate(kind: string, seed: number, n: number): number[] {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 2 ** 32;
  };
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 'lognormal':
        out.push(Math.exp(3 + 0.7 * Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())));
        break;
      case 'integerMs': // heavy ties
        out.push(Math.floor(u() * 50) + (u() < 0.02 ? 500 : 0));
        break;
      case 'spikes': // 97 % fast, 3 % a slow mode
        out.push(u() < 0.97 ? 2 + u() * 8 : 300 + u() * 900);
        break;
      default: // 'ramp': sorted input, a t-digest's worst case
        out.push(i * 0.25);
    }
  }
  return out;
}

const kinds = fc.constantFrom('lognormal', 'integerMs', 'spikes', 'ramp');

/**
 * `resolutionMs`: data recorded at 1 ms resolution (heavy ties) are judged at that resolution: the
 * continuous estimate between two tied groups is rounded first, as its reader would.
 */
function checkQuantiles(digest: LatencyDigest, xs: readonly number[], resolutionMs = 0): void {
  const sorted = Float64Array.from(xs).sort();
  for (const [q, share] of TOLERANCE) {
    const raw = digest.quantile(q)!;
    const estimate = resolutionMs > 0 ? Math.round(raw / resolutionMs) * resolutionMs : raw;
    expect(rankError(sorted, estimate, q), `q=${q} estimate=${estimate} n=${xs.length}`).toBeLessThanOrEqual(share * xs.length + 1);
  }
}

describe('LatencyDigest', () => {
  it('estimates p50/p90 within 1 % of n in rank, p99 within 0.2 %, p99.9 within 0.1 % (vs exact nearest rank)', () => {
    fc.assert(
      fc.property(kinds, fc.integer(), fc.integer({ min: 1, max: 6_000 }), fc.integer({ min: 1, max: 700 }), fc.constantFrom(100, 200), (kind, seed, n, batch, compression) => {
        const xs = generate(kind, seed, n);
        const digest = new LatencyDigest({ compression });
        for (let i = 0; i < xs.length; i += batch) digest.push(xs.slice(i, i + batch));
        expect(digest.count).toBe(n);
        checkQuantiles(digest, xs);
      }),
      { seed: 0x5eed, numRuns: Number(process.env.DIGEST_RUNS ?? 30) },
    );
  });

  it('merged from several digests (instances and JSON), estimates the quantiles of the union within the same tolerance', () => {
    fc.assert(
      fc.property(kinds, fc.integer(), fc.integer({ min: 2, max: 6 }), fc.integer({ min: 200, max: 3_000 }), (kind, seed, parts, perPart) => {
        const all: number[] = [];
        const digests: Array<LatencyDigest | LatencyDigestJSON> = [];
        for (let p = 0; p < parts; p++) {
          // Different instances see different shapes: shift each part so the union is not one distribution.
          const xs = generate(kind, seed + p * 7919, perPart + p * 37).map((x) => x + p * 3);
          all.push(...xs);
          const d = new LatencyDigest();
          d.push(xs);
          digests.push(p % 2 === 0 ? d : (JSON.parse(JSON.stringify(d)) as LatencyDigestJSON));
        }
        const merged = mergeLatencyDigests(digests);
        expect(merged.count).toBe(all.length);
        checkQuantiles(merged, all);
      }),
      { seed: 0xfee7, numRuns: Number(process.env.DIGEST_RUNS ?? 25) },
    );
  });

  it('gives the exact minimum and maximum at q = 0 and q = 1, and null when empty', () => {
    const d = new LatencyDigest();
    expect(d.quantile(0.99)).toBeNull();
    expect(d.count).toBe(0);
    d.push([5, 1, 9, 3]);
    expect(d.quantile(0)).toBe(1);
    expect(d.quantile(1)).toBe(9);
    d.reset();
    expect(d.quantile(0.5)).toBeNull();
    expect(d.toJSON()).toMatchObject({ count: 0, minMs: null, maxMs: null, centroids: [] });
  });

  it('returns tied values exactly: 200 × 20 ms and 2 × 350 ms have a median of 20 ms, not a blend', () => {
    const xs = [...Array<number>(200).fill(20), 350, 350];
    const sorted = Float64Array.from(xs).sort();
    const nearestRank = (q: number) => sorted[Math.max(1, Math.ceil(q * xs.length)) - 1];
    const direct = new LatencyDigest();
    direct.push(xs);
    const halves = [new LatencyDigest(), new LatencyDigest()];
    halves[0]!.push(xs.slice(0, 101));
    halves[1]!.push(xs.slice(101));
    const viaJson = mergeLatencyDigests(halves.map((h) => JSON.parse(JSON.stringify(h)) as LatencyDigestJSON));
    for (const d of [direct, viaJson]) {
      for (const q of [0.5, 0.9, 0.99, 0.995]) expect(d.quantile(q), `q=${q}`).toBe(nearestRank(q));
    }
  });

  it('round-trips through JSON text to a digest with the same centroids and quantiles', () => {
    const d = new LatencyDigest({ compression: 150 });
    d.push(generate('lognormal', 42, 10_000));
    const text = JSON.stringify(d);
    const back = LatencyDigest.fromJSON(JSON.parse(text));
    expect(back.toJSON()).toEqual(d.toJSON());
    expect(back.compression).toBe(150);
    for (const q of [0, 0.5, 0.9, 0.99, 0.999, 1]) expect(back.quantile(q)).toBe(d.quantile(q));
  });

  it('is deterministic: the same batches give the same digest', () => {
    const xs = generate('ramp', 1, 20_000); // forces re-compression
    const a = new LatencyDigest();
    const b = new LatencyDigest();
    a.push(xs);
    b.push(xs);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.toJSON().centroids.length).toBeLessThanOrEqual(2_500);
  });

  it('merging leaves the other digest unchanged and can merge itself', () => {
    const a = new LatencyDigest();
    const b = new LatencyDigest();
    a.push([1, 2, 3]);
    b.push([10, 20]);
    const before = JSON.stringify(b);
    expect(a.merge(b)).toBe(a);
    expect(JSON.stringify(b)).toBe(before);
    expect(a.count).toBe(5);
    a.merge(a);
    expect(a.count).toBe(10);
    expect(a.quantile(1)).toBe(20);
    expect(mergeLatencyDigests([]).count).toBe(0);
  });

  it('fromJSON names the invalid field', () => {
    const good = (() => {
      const d = new LatencyDigest();
      d.push([1, 2, 3]);
      return d.toJSON();
    })();
    const cases: Array<[unknown, string]> = [
      [null, '(root)'],
      [{ ...good, format: 'other' }, 'format'],
      [{ ...good, version: 2 }, 'version'],
      [{ ...good, compression: 'x' }, 'compression'],
      [{ ...good, centroids: 'x' }, 'centroids'],
      [{ ...good, centroids: [[1, 1, 1], [2, 1]] }, 'centroids[1]'],
      [{ ...good, centroids: [[Number.NaN, 1, 1]] }, 'centroids[0][0]'],
      [{ ...good, centroids: [[1, -1, 1]] }, 'centroids[0][1]'],
      [{ ...good, centroids: [[1, 3, 2]] }, 'centroids[0][2]'],
      [{ ...good, count: 4 }, 'count'],
      [{ ...good, minMs: 2 }, 'minMs'],
      [{ ...good, maxMs: null }, 'maxMs'],
    ];
    for (const [json, field] of cases) {
      expect(() => LatencyDigest.fromJSON(json), field).toThrow(TypeError);
      expect(() => LatencyDigest.fromJSON(json), field).toThrow(`\`${field}\``);
    }
    expect(() => mergeLatencyDigests([good, { ...good, version: 9 } as unknown as LatencyDigestJSON])).toThrow(/digest 1: .*`version`/);
  });

  it('rejects invalid input without changing the digest', () => {
    const d = new LatencyDigest();
    d.push([1]);
    expect(() => d.push([2, Number.NaN])).toThrow('latenciesMs[1]');
    expect(() => d.push([-1])).toThrow(TypeError);
    expect(d.count).toBe(1);
    expect(() => d.quantile(1.5)).toThrow(RangeError);
    expect(() => new LatencyDigest({ compression: 5 })).toThrow('compression');
  });
});

describe('trackLatencyDigest', () => {
  /** A SimulatedClock that knows which of its timers are still pending. */
  function countingClock() {
    const clock = new SimulatedClock();
    const pending = new Set<unknown>();
    const counting: Clock = {
      now: () => clock.now(),
      setTimeout: (fn, ms) => {
        const id = clock.setTimeout(() => {
          pending.delete(id);
          fn();
        }, ms);
        pending.add(id);
        return id;
      },
      clearTimeout: (id) => {
        pending.delete(id);
        clock.clearTimeout(id);
      },
    };
    return { clock, counting, pending };
  }

  /** Runs `latencies` through the breaker, each taking that long on the simulated clock. */
  async function calls(breaker: CircuitBreaker, clock: SimulatedClock, latencies: readonly number[]): Promise<void> {
    for (const ms of latencies) {
      await breaker.execute(() => {
        clock.increment(ms);
        return ms;
      });
    }
  }

  const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

  it('does nothing per call: the window is read into the digest once per period, in one batch', async () => {
    const { clock, counting } = countingClock();
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, windowSize: 100, logger: silent });
    let reads = 0;
    const counted = { latenciesSince: (cursor: number) => (reads++, breaker.latenciesSince(cursor)) };
    const digest = new LatencyDigest();
    const batches: number[] = [];
    const push = digest.push.bind(digest);
    digest.push = (batch) => {
      batches.push(batch.length);
      push(batch);
    };
    const tracker = trackLatencyDigest(counted, { periodMs: 1_000, clock: counting, digest });
    const first = Array.from({ length: 50 }, (_, k) => (k * 7) % 10); // 225 ms in all
    await calls(breaker, clock, first);
    expect([reads, batches, tracker.digest.count]).toEqual([0, [], 0]);

    clock.increment(1_000 - 225);
    expect([reads, batches, tracker.digest.count]).toEqual([1, [50], 50]);
    expect([tracker.digest.quantile(0), tracker.digest.quantile(1)]).toEqual([Math.min(...first), Math.max(...first)]);
    clock.increment(1_000); // no calls in this period: an empty read
    expect([reads, tracker.digest.count]).toEqual([2, 50]);
    await calls(breaker, clock, [400]); // a slow call: read at the next tick
    clock.increment(1_000);
    expect(tracker.digest.count).toBe(51);
    expect(tracker.digest.quantile(1)).toBe(400);
    expect(tracker.skipped).toBe(0);
    tracker.dispose();
  });

  it('counts the latencies that left the window before a read as skipped, and reads the rest', async () => {
    const { clock, counting } = countingClock();
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, windowSize: 100, logger: silent });
    const tracker = trackLatencyDigest(breaker, { periodMs: 1_000, clock: counting });
    const latencies = Array.from({ length: 250 }, (_, k) => k % 4); // 375 ms: all within one period
    await calls(breaker, clock, latencies);
    tracker.flush();
    expect(tracker.skipped).toBe(150);
    expect(tracker.digest.count).toBe(100);
    // The oracle: exactly the last 100 calls (the window's), whatever the digest's internals.
    const last = latencies.slice(-100);
    expect(tracker.digest.quantile(1)).toBe(Math.max(...last));
    expect(tracker.digest.count + tracker.skipped).toBe(latencies.length);
    tracker.dispose();
  });

  it('counts latencies reset away by a restart of the window (forceClose) as skipped', async () => {
    const { clock, counting } = countingClock();
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: silent });
    const tracker = trackLatencyDigest(breaker, { clock: counting });
    await calls(breaker, clock, [1, 2, 3]);
    tracker.flush();
    await calls(breaker, clock, [4, 5]);
    breaker.forceClose({ by: 'test', why: 'fresh window' });
    await calls(breaker, clock, [6]);
    clock.increment(1_000);
    expect([tracker.digest.count, tracker.skipped]).toEqual([4, 2]);
    expect([tracker.digest.quantile(0), tracker.digest.quantile(1)]).toEqual([1, 6]);
    tracker.dispose();
  });

  it('after dispose nothing is pending: it flushes once more, clears its timer and reads no more', async () => {
    const { clock, counting, pending } = countingClock();
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: silent });
    let reads = 0;
    const counted = { latenciesSince: (cursor: number) => (reads++, breaker.latenciesSince(cursor)) };
    const tracker = trackLatencyDigest(counted, { periodMs: 500, clock: counting });
    expect(pending.size).toBe(1);
    clock.increment(500);
    clock.increment(500);
    expect([reads, pending.size]).toEqual([2, 1]); // re-armed after each read
    await calls(breaker, clock, [3, 4]);
    tracker[Symbol.dispose]();
    expect([reads, tracker.digest.count, pending.size]).toEqual([3, 2, 0]);
    tracker.dispose(); // idempotent
    await calls(breaker, clock, [5]);
    tracker.flush(); // a no-op now
    clock.increment(10_000);
    expect([reads, tracker.digest.count, pending.size]).toEqual([3, 2, 0]);
    breaker.dispose();
  });

  it('keeps reading a disposed breaker without throwing, until the tracker is disposed itself', async () => {
    const { clock, counting } = countingClock();
    const breaker = createCircuitBreaker({ name: 'venue', clock, random: () => 0.5, logger: silent });
    const tracker = trackLatencyDigest(breaker, { clock: counting });
    await calls(breaker, clock, [1, 9, 5]);
    breaker.dispose();
    expect(() => clock.increment(1_000)).not.toThrow();
    expect(tracker.digest.count).toBe(3);
    expect(tracker.digest.quantile(1)).toBe(9);
    expect(() => clock.increment(1_000)).not.toThrow(); // nothing new: an empty read
    expect(() => tracker.dispose()).not.toThrow();
    expect(tracker.digest.count).toBe(3);
  });

  it('logs a read that throws in the timer and reads again next period', () => {
    const { clock, counting } = countingClock();
    let fail = true;
    let recorded = 2;
    const breaker = {
      latenciesSince: (cursor: number) => {
        if (fail) throw new Error('window gone');
        return { latenciesMs: [7, 8].slice(cursor), cursor: recorded, skipped: 0 };
      },
    };
    const logged: unknown[] = [];
    const logger: Logger = { ...silent, error: (fields) => logged.push((fields as { err: unknown }).err) };
    const tracker = trackLatencyDigest(breaker, { clock: counting, logger });
    expect(() => clock.increment(1_000)).not.toThrow();
    expect(logged).toHaveLength(1);
    expect(String(logged[0])).toContain('window gone');
    fail = false;
    clock.increment(1_000);
    expect(tracker.digest.count).toBe(2);
    recorded = 2;
    fail = true;
    expect(() => tracker.dispose()).not.toThrow(); // its last read fails: logged, and the timer is gone anyway
    expect(logged).toHaveLength(2);
  });

  it('counts latencies a structural breaker returns that are not finite numbers ≥ 0 as skipped, never pushing them', () => {
    const { clock, counting } = countingClock();
    const breaker = { latenciesSince: () => ({ latenciesMs: [1, Number.NaN, -1, Infinity, 2], cursor: 5, skipped: 1 }) };
    const tracker = trackLatencyDigest(breaker, { clock: counting });
    clock.increment(1_000);
    expect([tracker.digest.count, tracker.skipped]).toEqual([2, 4]);
    tracker.dispose();
  });

  it('rejects a period, clock, digest or breaker that would not work', () => {
    const breaker = { latenciesSince: () => ({ latenciesMs: [], cursor: 0, skipped: 0 }) };
    for (const periodMs of [0, -1, Number.NaN, Infinity]) {
      expect(() => trackLatencyDigest(breaker, { periodMs })).toThrow('periodMs');
    }
    expect(() => trackLatencyDigest(breaker, { clock: {} as Clock })).toThrow('clock');
    expect(() => trackLatencyDigest(breaker, { digest: {} as LatencyDigest })).toThrow('digest');
    expect(() => trackLatencyDigest({} as typeof breaker)).toThrow('latenciesSince');
  });
});
