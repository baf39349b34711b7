import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileLoop } from '../../bench/compileLoop.js';
import { interleave, overheadOver, type CandidateResult } from '../../bench/interleave.js';
import { summarize } from '../../bench/summarize.js';

describe('summarize', () => {
  it('gives the median, min and max of any set of measurements (checked by counting, not sorting)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e9, max: 1e9, noNaN: true }), { minLength: 1, maxLength: 60 }), (values) => {
        const s = summarize(values);
        expect(s.n).toBe(values.length);
        expect(s.min).toBe(Math.min(...values));
        expect(s.max).toBe(Math.max(...values));
        // A median has at most half of the values strictly on each side.
        expect(values.filter((v) => v < s.median).length).toBeLessThanOrEqual(values.length / 2);
        expect(values.filter((v) => v > s.median).length).toBeLessThanOrEqual(values.length / 2);
      }),
    );
  });

  it('reports NaN for an empty set instead of inventing a number', () => {
    expect(summarize([]).median).toBeNaN();
  });
});

describe('overheadOver', () => {
  it('pairs candidate and baseline round by round, so a slow round cancels out', () => {
    const result = (name: string, perRoundNs: number[]): CandidateResult => ({ name, perRoundNs, nsPerOp: summarize(perRoundNs), batchSize: 1 });
    const baseline = result('bare', [30, 300, 31]); // round 2 was preempted for everyone
    const candidate = result('wrapped', [130, 400, 131]);
    expect(overheadOver(candidate, baseline)).toEqual({ median: 100, min: 100, max: 100, n: 3 });
  });
});

describe('interleave', () => {
  it('runs every candidate once per round, starting from a different one each round', async () => {
    const order: string[] = [];
    const candidate = (name: string) => ({ name, batch: () => void order.push(name) });
    // batchMs 0: no calibration growth, so every timed batch is one push.
    const results = await interleave([candidate('a'), candidate('b'), candidate('c')], { rounds: 3, warmupRounds: 0, batchMs: 0 });
    expect(order).toEqual(['a', 'b', 'c', 'b', 'c', 'a', 'c', 'a', 'b']);
    expect(results.map((r) => r.perRoundNs.length)).toEqual([3, 3, 3]);
  });

  it('grows a batch during warm-up until it takes the target time, and never below minBatch', async () => {
    const sizes: number[] = [];
    const busy = (n: number) => {
      sizes.push(n);
      let x = 0;
      for (let i = 0; i < n * 1000; i++) x += i;
      return x;
    };
    const [result] = await interleave([{ name: 'busy', batch: busy }], { rounds: 1, warmupRounds: 1, batchMs: 2, minBatch: 4 });
    expect(sizes[0]).toBe(4);
    expect(result!.batchSize).toBeGreaterThan(4);
    expect(result!.batchSize % 4).toBe(0);
    expect(sizes[sizes.length - 1]).toBe(result!.batchSize); // the measured round used the calibrated size
  });

  it('runs each teardown once, after the last round', async () => {
    let torn = 0;
    await interleave([{ name: 'x', batch: () => {}, teardown: () => void torn++ }], { rounds: 2, warmupRounds: 1, batchMs: 0 });
    expect(torn).toBe(1);
  });
});

describe('compileLoop', () => {
  it('sequential: awaits each call before starting the next, and counts rejections', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let i = 0;
    const loop = compileLoop('sequential', async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await Promise.resolve();
      inFlight--;
      if (i++ % 3 === 0) throw new Error('refused');
    });
    expect(await loop(9)).toBe(3);
    expect(maxInFlight).toBe(1);
  });

  it('concurrent: keeps `width` calls in flight together, n calls in all', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    const loop = compileLoop(
      'concurrent',
      async () => {
        calls++;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await Promise.resolve();
        inFlight--;
      },
      25,
    );
    await loop(100);
    expect(calls).toBe(100);
    expect(maxInFlight).toBe(25);
  });
});
