import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyWindow } from '../../src/window/LatencyWindow.js';
import { p99ExceedsThreshold, p99Rank } from '../../src/window/nearestRank.js';

/*
 * The window against a naive oracle: a plain array of every sample, of which the last N are kept, sorted on
 * every question. The oracle's nearest rank is computed from its definition (the smallest integer r with
 * 100·r ≥ 99·n), in exact integer arithmetic, independently of src/window/nearestRank.ts.
 */

/** ⌈99·n / 100⌉ by integer division with remainder (exact for every n below 2^53 / 99). */
function oracleRank(n: number): number {
  const scaled = 99 * n;
  const remainder = scaled % 100;
  return (scaled - remainder) / 100 + (remainder === 0 ? 0 : 1);
}

const ascending = (a: number, b: number): number => (a < b ? -1 : a > b ? 1 : 0);

/** The nearest-rank P99 of `latencies` by sorting a copy, or null when empty. */
function oracleP99(latencies: readonly number[]): number | null {
  if (latencies.length === 0) return null;
  const sorted = [...latencies].sort(ascending);
  return sorted[oracleRank(sorted.length) - 1]!;
}

const lastN = <T>(xs: readonly T[], n: number): T[] => xs.slice(Math.max(0, xs.length - n));

interface Sample {
  readonly latencyMs: number;
  readonly failed: boolean;
}

/** The naive window: every sample since the last reset, and the failure streak. */
class OracleWindow {
  all: Sample[] = [];
  streak = 0;
  constructor(
    readonly capacity: number,
    readonly thresholdMs: number,
  ) {}
  record(latencyMs: number, failed: boolean): void {
    // documented: a NaN or negative latency (a clock that went backwards) is recorded as 0
    this.all.push({ latencyMs: Number.isNaN(latencyMs) || latencyMs <= 0 ? 0 : latencyMs, failed });
    this.streak = failed ? this.streak + 1 : 0;
  }
  reset(): void {
    this.all = [];
    this.streak = 0;
  }
  held(): Sample[] {
    return lastN(this.all, this.capacity);
  }
  latencies(): number[] {
    return this.held().map((s) => s.latencyMs);
  }
  /** The window plus `extra` newest samples, of which the last `capacity` are judged. */
  judged(extra: readonly number[]): number[] {
    return lastN([...this.latencies(), ...extra], this.capacity);
  }
}

type Op =
  | { readonly kind: 'record'; readonly latency: LatencyKind; readonly failed: boolean }
  | { readonly kind: 'reset' };

/** Latencies chosen relative to the threshold so that ties and neighbours are frequent. */
type LatencyKind =
  | { readonly rel: 'atThreshold' | 'justAbove' | 'justBelow' | 'zero' | 'nan' | 'negative' }
  | { readonly rel: 'abs'; readonly value: number };

const latencyKindArb: fc.Arbitrary<LatencyKind> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('atThreshold', 'justAbove', 'justBelow', 'zero').map((rel) => ({ rel }) as LatencyKind) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 400 }).map((value) => ({ rel: 'abs', value }) as LatencyKind) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1e12, noNaN: true }).map((value) => ({ rel: 'abs', value }) as LatencyKind) },
  { weight: 1, arbitrary: fc.constantFrom(1e15, Number.MAX_VALUE, Infinity).map((value) => ({ rel: 'abs', value }) as LatencyKind) },
  { weight: 1, arbitrary: fc.constant({ rel: 'nan' } as LatencyKind) },
  { weight: 1, arbitrary: fc.constant({ rel: 'negative' } as LatencyKind) },
  { weight: 1, arbitrary: fc.constantFrom(-0, -1, -1e-9, -1e12, -Infinity).map((value) => ({ rel: 'abs', value }) as LatencyKind) },
);

/** An in-flight call's age is never NaN nor negative (nor −0). */
function isPossibleAge(kind: LatencyKind): boolean {
  if (kind.rel === 'nan' || kind.rel === 'negative') return false;
  return kind.rel !== 'abs' || (kind.value >= 0 && !Object.is(kind.value, -0));
}

function latencyOf(kind: LatencyKind, thresholdMs: number): number {
  switch (kind.rel) {
    case 'atThreshold':
      return thresholdMs;
    case 'justAbove':
      return thresholdMs + 1;
    case 'justBelow':
      return Math.max(0, thresholdMs - 1);
    case 'zero':
      return 0;
    case 'nan':
      return Number.NaN;
    case 'negative':
      return -thresholdMs - 1;
    case 'abs':
      return kind.value;
  }
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 30, arbitrary: fc.record({ kind: fc.constant('record' as const), latency: latencyKindArb, failed: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reset' } as const) },
);

const thresholdArb = fc.oneof(
  fc.constantFrom(0, 1, 200),
  fc.integer({ min: 0, max: 1000 }),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
);

const capacityArb = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 150 }), fc.constantFrom(1, 100, 101, 200));

/** Compares every answer of the window with the oracle's. */
function expectSameAnswers(window: LatencyWindow, oracle: OracleWindow, probes: readonly number[][]): void {
  const held = oracle.held();
  const latencies = held.map((s) => s.latencyMs);
  const n = held.length;
  const failures = held.filter((s) => s.failed).length;
  const p99 = oracleP99(latencies);

  expect(window.size).toBe(n);
  expect(window.samples()).toEqual(held);
  expect(window.countOverThreshold).toBe(latencies.filter((x) => x > oracle.thresholdMs).length);
  expect(window.failureCount).toBe(failures);
  expect(window.errorRate()).toBe(n === 0 ? 0 : failures / n);
  expect(window.consecutiveFailures).toBe(oracle.streak);
  expect(window.p99Ms()).toBe(p99);
  expect(window.p99()).toBe(p99);
  expect(window.p99Exceeded()).toBe(p99 !== null && p99 > oracle.thresholdMs);
  expect(window.p99Exceeded(0)).toBe(p99 !== null && p99 > oracle.thresholdMs);

  // In-flight variants: k overdue calls count as the newest samples, all slow.
  for (const k of [1, Math.ceil(oracle.capacity / 2), oracle.capacity + 3]) {
    const judged = oracle.judged(new Array<number>(k).fill(Infinity));
    const judgedP99 = oracleP99(judged);
    expect(window.effectiveSize(k)).toBe(judged.length);
    expect(window.p99Exceeded(k)).toBe(judgedP99 !== null && judgedP99 > oracle.thresholdMs);
  }
  expect(window.effectiveSize(-3)).toBe(n);
  expect(window.p99Exceeded(-3)).toBe(p99 !== null && p99 > oracle.thresholdMs);
  for (const ages of probes) {
    expect(window.p99Ms(ages)).toBe(oracleP99(oracle.judged(ages)));
  }
}

describe('LatencyWindow against a naive sort oracle', () => {
  it('answers size, counts, error rate, streak, P99 and the trip test like sorting the last N samples, after every sample', () => {
    fc.assert(
      fc.property(
        capacityArb,
        thresholdArb,
        fc.array(opArb, { maxLength: 200, size: 'max' }),
        fc.array(fc.array(latencyKindArb.filter(isPossibleAge), { maxLength: 8 }), { maxLength: 3 }),
        (capacity, thresholdMs, ops, ageKinds) => {
          const window = new LatencyWindow(capacity, thresholdMs);
          const oracle = new OracleWindow(capacity, thresholdMs);
          const probes = ageKinds.map((kinds) => kinds.map((k) => latencyOf(k, thresholdMs)));
          expectSameAnswers(window, oracle, probes);
          for (const op of ops) {
            if (op.kind === 'reset') {
              window.reset();
              oracle.reset();
            } else {
              const latency = latencyOf(op.latency, thresholdMs);
              if (op.failed) window.record(latency, true);
              else window.record(latency); // `failed` defaults to false
              oracle.record(latency, op.failed);
            }
            expectSameAnswers(window, oracle, probes);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('trips exactly when the window is dominated by latencies equal to, just above and just below the threshold', () => {
    // Dense ties around T on a window of exactly 100 and 1000: the cases where ⌈0.99·n⌉ matters most.
    fc.assert(
      fc.property(
        fc.constantFrom(100, 1000),
        fc.integer({ min: 0, max: 300 }),
        fc.array(fc.constantFrom(-1, 0, 1), { minLength: 1, maxLength: 1200, size: 'max' }),
        (capacity, thresholdMs, offsets) => {
          const window = new LatencyWindow(capacity, thresholdMs);
          const oracle = new OracleWindow(capacity, thresholdMs);
          for (const offset of offsets) {
            window.record(Math.max(0, thresholdMs + offset), false);
            oracle.record(Math.max(0, thresholdMs + offset), false);
          }
          const p99 = oracleP99(oracle.latencies());
          expect(window.p99Ms()).toBe(p99);
          expect(window.p99Exceeded()).toBe(p99 !== null && p99 > thresholdMs);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('knows the slow samples of the oldest entries it would push out for k overdue calls (window wrapped many times)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 0, maxLength: 400, size: 'max' }),
        fc.integer({ min: 0, max: 50 }),
        (capacity, latencies, k) => {
          const thresholdMs = 10;
          const window = new LatencyWindow(capacity, thresholdMs);
          const oracle = new OracleWindow(capacity, thresholdMs);
          for (const latency of latencies) {
            window.record(latency, false);
            oracle.record(latency, false);
          }
          const ages = Array.from({ length: k }, (_, i) => thresholdMs + 1 + i);
          const judgedWithInfinity = oracleP99(oracle.judged(new Array<number>(k).fill(Infinity)));
          expect(window.p99Exceeded(k)).toBe(judgedWithInfinity !== null && judgedWithInfinity > thresholdMs);
          expect(window.p99Ms(ages)).toBe(oracleP99(oracle.judged(ages)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LatencyWindow construction', () => {
  const probe = (w: LatencyWindow): [number, number, number] => {
    for (const l of [5, 250, 250]) w.record(l);
    return [w.capacity, w.thresholdMs, w.countOverThreshold];
  };

  it('defaults to 1000 samples and a 200 ms threshold', () => {
    const w = new LatencyWindow();
    expect([w.capacity, w.thresholdMs]).toEqual([1000, 200]);
    for (let i = 0; i < 1001; i++) w.record(i === 0 ? 999 : 1);
    expect(w.size).toBe(1000); // the 1001st sample evicted the first
    expect(w.countOverThreshold).toBe(0);
  });

  it('takes (capacity, thresholdMs) or an options object under any of its documented names', () => {
    expect(probe(new LatencyWindow(2, 249))).toEqual([2, 249, 2]);
    expect(probe(new LatencyWindow(7))).toEqual([7, 200, 2]);
    expect(probe(new LatencyWindow({ capacity: 2, thresholdMs: 249 }))).toEqual([2, 249, 2]);
    expect(probe(new LatencyWindow({ size: 3, latencyThresholdMs: 250 }))).toEqual([3, 250, 0]);
    expect(probe(new LatencyWindow({ windowSize: 1 }))).toEqual([1, 200, 1]);
    expect(probe(new LatencyWindow({}))).toEqual([1000, 200, 2]);
  });

  it('still refuses a capacity that is not a positive integer, in either form', () => {
    expect(() => new LatencyWindow(0)).toThrow(RangeError);
    expect(() => new LatencyWindow({ capacity: 2.5 })).toThrow(RangeError);
  });
});

describe('nearest rank of the P99', () => {
  it('p99Rank(n) is the smallest r with 100·r ≥ 99·n for every n in 1..100 000', () => {
    for (let n = 1; n <= 100_000; n++) {
      const r = p99Rank(n);
      if (r !== oracleRank(n) || !(100 * r >= 99 * n && 100 * (r - 1) < 99 * n)) {
        expect({ n, r }).toEqual({ n, r: oracleRank(n) });
      }
    }
    expect(p99Rank(1)).toBe(1);
    expect(p99Rank(100)).toBe(99);
    expect(p99Rank(101)).toBe(100);
    expect(p99Rank(1000)).toBe(990);
  });

  it('the O(1) identity P99 > T ⇔ count(> T) > n − ⌈0.99·n⌉ agrees with sorting', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 600, size: 'max' }),
        (thresholdMs, latencies) => {
          const n = latencies.length;
          const over = latencies.filter((x) => x > thresholdMs).length;
          const p99 = oracleP99(latencies)!;
          expect(p99ExceedsThreshold(over, n)).toBe(p99 > thresholdMs);
          expect(over > n - oracleRank(n)).toBe(p99 > thresholdMs);
        },
      ),
      { numRuns: 500 },
    );
    expect(p99ExceedsThreshold(0, 0)).toBe(false);
  });
});
