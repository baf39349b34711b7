import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeBackoffDelay, type BackoffOptions } from '../src/backoff.js';

/** The largest delay a host timer accepts, the bound resolveOptions puts on every millisecond option. */
const MAX_TIMER_MS = 2_147_483_647;

const DEFAULT_RECOVERY: BackoffOptions = {
  recoveryTimeoutMs: 30_000,
  baseDelayMs: 1_000,
  maxDelayMs: 300_000,
  multiplier: 2,
  jitterFactor: 0.1,
};

/** Options that pass validation: durations in [0, MAX_TIMER_MS], max ≥ base, multiplier ≥ 1, jitter in [0, 1]. */
const validOptionsArb: fc.Arbitrary<BackoffOptions> = fc
  .record({
    recoveryTimeoutMs: fc.oneof(fc.constantFrom(0, 1, 1_000, 30_000, MAX_TIMER_MS), fc.double({ min: 0, max: MAX_TIMER_MS, noNaN: true })),
    a: fc.oneof(fc.constantFrom(0, 1_000, 300_000, MAX_TIMER_MS), fc.double({ min: 0, max: MAX_TIMER_MS, noNaN: true })),
    b: fc.oneof(fc.constantFrom(0, 1_000, 300_000, MAX_TIMER_MS), fc.double({ min: 0, max: MAX_TIMER_MS, noNaN: true })),
    multiplier: fc.oneof(fc.constantFrom(1, 1.5, 2, 10), fc.double({ min: 1, max: 1e6, noNaN: true }), fc.constantFrom(1e300, Number.MAX_VALUE)),
    jitterFactor: fc.oneof(fc.constantFrom(0, 0.1, 0.5, 1), fc.double({ min: 0, max: 1, noNaN: true })),
  })
  .map(({ recoveryTimeoutMs, a, b, multiplier, jitterFactor }) => ({
    recoveryTimeoutMs,
    baseDelayMs: Math.min(a, b),
    maxDelayMs: Math.max(a, b),
    multiplier,
    jitterFactor,
  }));

/** Any number an attempt counter could be handed, sane or not. */
const anyAttemptArb = fc.oneof(
  fc.integer({ min: 0, max: 60 }),
  fc.integer({ min: 0, max: 5_000 }),
  fc.constantFrom(-1, -0, 0.5, 2.7, 1e9, Number.MAX_SAFE_INTEGER, Infinity, -Infinity, Number.NaN),
  fc.double(),
);

/** Whatever a user-supplied random() might return, including values outside [0, 1). */
const anyRandomValueArb = fc.oneof(
  fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  fc.constantFrom(0, 0.9999999, 1 - Number.EPSILON, 1, -0.5, -1e-300, 2, Number.NaN, Infinity, -Infinity),
  fc.double(),
);

const inUnitInterval = fc.oneof(fc.constantFrom(0, 0.5, 0.9999999, 1 - Number.EPSILON / 2), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }));

/**
 * The spec's formula, in exact arithmetic where floats would lie: a zero factor (recoveryTimeoutMs = 0, or
 * jitterFactor = 1 with random() = 0) makes the product exactly 0 however large multiplier^k grows.
 */
function oracleDelay(k: number, o: BackoffOptions, random: number): number {
  // documented: random() above 1 counts as 1 (exactly +jitter), NaN or negative as 0
  const r = random > 1 ? 1 : random >= 0 ? random : 0;
  const jitter = 1 + o.jitterFactor * (2 * r - 1);
  const raw = o.recoveryTimeoutMs === 0 || jitter === 0 ? 0 : o.recoveryTimeoutMs * o.multiplier ** k * jitter;
  return Math.min(o.maxDelayMs, Math.max(o.baseDelayMs, raw));
}

describe('computeBackoffDelay', () => {
  it('stays within [baseDelayMs, maxDelayMs] for any valid options, any attempt and any random value', () => {
    fc.assert(
      fc.property(validOptionsArb, anyAttemptArb, anyRandomValueArb, (options, attempt, r) => {
        const delay = computeBackoffDelay(attempt, options, () => r);
        expect(Number.isNaN(delay)).toBe(false);
        expect(delay).toBeGreaterThanOrEqual(options.baseDelayMs);
        expect(delay).toBeLessThanOrEqual(options.maxDelayMs);
      }),
      { numRuns: 3000 },
    );
  });

  it('equals clamp(recoveryTimeoutMs · multiplier^k · (1 + jitterFactor · (2r − 1)), base, max), r clamped to [0, 1]', () => {
    fc.assert(
      fc.property(validOptionsArb, fc.integer({ min: 0, max: 2_000 }), fc.oneof(inUnitInterval, anyRandomValueArb), (options, k, r) => {
        const delay = computeBackoffDelay(k, options, () => r);
        const expected = oracleDelay(k, options, r);
        // evaluation order may differ from the oracle's by an ulp or two (or a subnormal underflow); nothing more
        expect(Math.abs(delay - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12 + 1e-300);
      }),
      { numRuns: 3000 },
    );
  });

  it('is 0-safe: with recoveryTimeoutMs = 0 every attempt waits baseDelayMs, even once multiplier^k overflows', () => {
    const options: BackoffOptions = { recoveryTimeoutMs: 0, baseDelayMs: 1_000, maxDelayMs: 300_000, multiplier: 2, jitterFactor: 0 };
    for (const k of [0, 1, 10, 1023, 1024, 5000]) expect(computeBackoffDelay(k, options, () => 0.5)).toBe(1_000);
  });

  it('never shrinks as the attempt grows, for a fixed random value', () => {
    fc.assert(
      fc.property(validOptionsArb, inUnitInterval, fc.integer({ min: 0, max: 1_100 }), (options, r, upTo) => {
        let previous = -Infinity;
        for (let k = Math.max(0, upTo - 80); k <= upTo; k++) {
          const delay = computeBackoffDelay(k, options, () => r);
          expect(delay).toBeGreaterThanOrEqual(previous);
          previous = delay;
        }
      }),
      { numRuns: 500 },
    );
  });

  it('treats a NaN, negative or fractional attempt like the documented k (0, 0 and ⌊k⌋)', () => {
    fc.assert(
      fc.property(validOptionsArb, inUnitInterval, fc.double({ min: 0, max: 40, noNaN: true }), (options, r, attempt) => {
        const random = (): number => r;
        expect(computeBackoffDelay(attempt, options, random)).toBe(computeBackoffDelay(Math.floor(attempt), options, random));
        expect(computeBackoffDelay(Number.NaN, options, random)).toBe(computeBackoffDelay(0, options, random));
        expect(computeBackoffDelay(-attempt - 1, options, random)).toBe(computeBackoffDelay(0, options, random));
      }),
      { numRuns: 500 },
    );
  });

  it('gives exactly +jitter at r = 1, and the same for any r above 1; −jitter for NaN or a negative r', () => {
    expect(computeBackoffDelay(0, DEFAULT_RECOVERY, () => 1)).toBe(33_000);
    expect(computeBackoffDelay(0, DEFAULT_RECOVERY, () => 7)).toBe(33_000);
    expect(computeBackoffDelay(0, DEFAULT_RECOVERY, () => Infinity)).toBe(33_000);
    expect(computeBackoffDelay(0, DEFAULT_RECOVERY, () => Number.NaN)).toBe(27_000);
    expect(computeBackoffDelay(0, DEFAULT_RECOVERY, () => -3)).toBe(27_000);
  });

  it('fills missing options with the defaults, from the flat shape or the breaker’s nested { recoveryTimeoutMs, recovery }', () => {
    fc.assert(
      fc.property(
        validOptionsArb,
        fc.record({ recoveryTimeoutMs: fc.boolean(), baseDelayMs: fc.boolean(), maxDelayMs: fc.boolean(), multiplier: fc.boolean(), jitterFactor: fc.boolean() }),
        fc.integer({ min: 0, max: 40 }),
        inUnitInterval,
        (given, keep, k, r) => {
          // the oracle: every omitted field takes its documented default
          const complete: BackoffOptions = {
            recoveryTimeoutMs: keep.recoveryTimeoutMs ? given.recoveryTimeoutMs : DEFAULT_RECOVERY.recoveryTimeoutMs,
            baseDelayMs: keep.baseDelayMs ? given.baseDelayMs : DEFAULT_RECOVERY.baseDelayMs,
            maxDelayMs: keep.maxDelayMs ? given.maxDelayMs : DEFAULT_RECOVERY.maxDelayMs,
            multiplier: keep.multiplier ? given.multiplier : DEFAULT_RECOVERY.multiplier,
            jitterFactor: keep.jitterFactor ? given.jitterFactor : DEFAULT_RECOVERY.jitterFactor,
          };
          const flat: Record<string, number> = {};
          const recovery: Record<string, number> = {};
          for (const key of Object.keys(keep) as Array<keyof BackoffOptions>) {
            if (!keep[key]) continue;
            flat[key] = given[key];
            if (key === 'recoveryTimeoutMs') continue;
            recovery[key] = given[key];
          }
          const nested = keep.recoveryTimeoutMs ? { recoveryTimeoutMs: given.recoveryTimeoutMs, recovery } : { recovery };
          const expected = oracleDelay(k, complete, r);
          const fromFlat = computeBackoffDelay(k, flat, () => r);
          expect(Math.abs(fromFlat - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12 + 1e-300);
          expect(computeBackoffDelay(k, nested, () => r)).toBe(fromFlat);
          expect(computeBackoffDelay(k, complete, () => r)).toBe(fromFlat);
        },
      ),
      { numRuns: 500 },
    );
    expect(computeBackoffDelay(0, {}, () => 0.5)).toBe(30_000);
    expect(computeBackoffDelay(1, { recoveryTimeoutMs: 30_000, recovery: { jitterFactor: 0 } }, () => 0.9)).toBe(60_000);
    const d = computeBackoffDelay(2); // defaults and Math.random: 120 s ± 10 %
    expect(d).toBeGreaterThanOrEqual(108_000);
    expect(d).toBeLessThanOrEqual(132_000);
  });

  it('gives 30 s, 60 s, 120 s, 240 s, then 300 s with the defaults at r = 0.5', () => {
    const delays = [0, 1, 2, 3, 4, 5, 20].map((k) => computeBackoffDelay(k, DEFAULT_RECOVERY, () => 0.5));
    expect(delays).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
  });

  it('spreads each default delay by at most ±10 % inside the bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), inUnitInterval, (k, r) => {
        const nominal = Math.min(300_000, 30_000 * 2 ** k);
        const delay = computeBackoffDelay(k, DEFAULT_RECOVERY, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.max(1_000, nominal * 0.9 - 1e-6));
        expect(delay).toBeLessThanOrEqual(Math.min(300_000, nominal * 1.1 + 1e-6));
      }),
      { numRuns: 500 },
    );
  });
});
