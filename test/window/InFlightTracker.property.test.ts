import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InFlightTracker } from '../../src/window/InFlightTracker.js';

/*
 * The tracker against a naive oracle: a Map from call id to start time. A call is overdue when it is still
 * outstanding and has been for strictly longer than the threshold (now − start > T). Time only moves forward.
 */

type Op =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'start' }
  | { readonly kind: 'settle'; readonly pick: number }
  | { readonly kind: 'settleUnknown'; readonly offset: number }
  | { readonly kind: 'countOverdue' }
  | { readonly kind: 'overdueAges' }
  | { readonly kind: 'clear' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constantFrom(0, 100, 101, 99)) }) },
  { weight: 10, arbitrary: fc.constant({ kind: 'start' } as const) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('settle' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('settleUnknown' as const), offset: fc.integer({ min: -5, max: 5 }) }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'countOverdue' } as const) },
  { weight: 2, arbitrary: fc.constant({ kind: 'overdueAges' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' } as const) },
);

function runAgainstOracle(thresholdMs: number, ops: readonly Op[]): void {
  const tracker = new InFlightTracker(thresholdMs);
  /** id → start time of outstanding calls, in admission order (Map keeps insertion order). */
  const outstanding = new Map<number, number>();
  /** Every id ever handed out, settled or not, so that settling twice is exercised. */
  const issued: number[] = [];
  let now = 0;

  const overdue = (): Array<[number, number]> => [...outstanding].filter(([, start]) => now - start > thresholdMs);

  for (const op of ops) {
    switch (op.kind) {
      case 'advance':
        now += op.ms;
        break;
      case 'start': {
        const id = tracker.start(now);
        expect(issued).not.toContain(id);
        issued.push(id);
        outstanding.set(id, now);
        break;
      }
      case 'settle': {
        if (issued.length === 0) break;
        const id = issued[op.pick % issued.length]!;
        tracker.settle(id); // may be the second settle of this id: a no-op
        outstanding.delete(id);
        break;
      }
      case 'settleUnknown': {
        // an id never handed out (below or above the issued range): must change nothing
        const max = issued.length === 0 ? 0 : Math.max(...issued);
        const id = op.offset >= 0 ? max + 1 + op.offset : -1 + op.offset;
        tracker.settle(id);
        break;
      }
      case 'countOverdue':
        expect(tracker.countOverdue(now)).toBe(overdue().length);
        break;
      case 'overdueAges':
        expect(tracker.overdueAges(now)).toEqual(overdue().map(([, start]) => now - start));
        break;
      case 'clear':
        tracker.clear();
        outstanding.clear();
        break;
    }
    expect(tracker.outstanding).toBe(outstanding.size);
  }
  expect(tracker.countOverdue(now)).toBe(overdue().length);
  expect(tracker.overdueAges(now)).toEqual(overdue().map(([, start]) => now - start));
}

describe('InFlightTracker against a set-based oracle', () => {
  it('counts outstanding and overdue calls like a map of start times, for any interleaving of start, settle, count and clear', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 10, 100), fc.array(opArb, { maxLength: 400, size: 'max' }), (thresholdMs, ops) => {
        runAgainstOracle(thresholdMs, ops);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps its answers through ring growth: hundreds of outstanding calls settled out of order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 65, max: 700 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        (count, settleOrder, thresholdMs) => {
          const ops: Op[] = [];
          for (let i = 0; i < count; i++) ops.push({ kind: 'start' }, { kind: 'advance', ms: i % 3 }, ...(i % 50 === 0 ? [{ kind: 'countOverdue' } as const] : []));
          for (const pick of settleOrder) ops.push({ kind: 'settle', pick }, { kind: 'advance', ms: 1 }, { kind: 'countOverdue' });
          runAgainstOracle(thresholdMs, ops);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('judges overdue exactly like the latency the breaker records (now − start > T) on a fractional real-time clock', () => {
    // realClock returns performance.timeOrigin + performance.now() ≈ 1.7e12 with a fractional part: the
    // tracker must agree with `settledAt − startedAt > T`, the test that marks a completed call slow.
    fc.assert(
      fc.property(
        fc.double({ min: 1.6e12, max: 1.8e12, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }).map((tenths) => tenths / 10),
        fc.constantFrom(0, 1e-9, -1e-9, 1e-4, -1e-4),
        (start, thresholdMs, nudge) => {
          const now = start + thresholdMs + nudge;
          const tracker = new InFlightTracker(thresholdMs);
          tracker.start(start);
          expect(tracker.countOverdue(now)).toBe(now - start > thresholdMs ? 1 : 0);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('judges a call overdue only strictly after the threshold, and forgets it once settled', () => {
    const tracker = new InFlightTracker(100);
    const a = tracker.start(0);
    tracker.start(50);
    expect(tracker.countOverdue(100)).toBe(0); // exactly T old: not overdue
    expect(tracker.countOverdue(101)).toBe(1);
    expect(tracker.overdueAges(151)).toEqual([151, 101]);
    tracker.settle(a);
    tracker.settle(a);
    expect(tracker.countOverdue(151)).toBe(1);
    expect(tracker.outstanding).toBe(1);
  });
});
