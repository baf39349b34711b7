/**
 * The fault and bad-input catalogue of docs/reliability.md: one test per fault. In each, the caller gets
 * the operation's own result or a typed error, the counts add up, the actor never enters XState's error
 * status, no promise rejection goes unhandled, and nothing is pending after dispose.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { config as rxConfig, type Observable } from 'rxjs';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, isCircuitOpenError, isConfigError, type CircuitBreakerOptions } from '../../src/index.js';
import { settle } from '../support/settle.js';
import { faultHarness, rejectWith } from './harness.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));
afterEach(async () => {
  // Node reports an unhandled rejection after the microtask queue drains: give it two turns.
  await settle();
  await settle();
  expect(unhandled).toEqual([]);
  unhandled.length = 0;
});

/** Options that make each rule easy to reach: 3 failures trip, 10 samples judge, 1 s backoff. */
const small: CircuitBreakerOptions = {
  failureThreshold: 3,
  windowSize: 10,
  minimumSamples: 10,
  latencyThresholdMs: 100,
  recoveryTimeoutMs: 1_000,
  halfOpenRequests: 1,
  halfOpenTimeoutMs: 500,
  healthCheckTimeoutMs: 300,
};

/** Fails three calls through the harness: with {@link small}, the breaker is open after it. */
async function trip(h: ReturnType<typeof faultHarness>): Promise<void> {
  for (let i = 0; i < 3; i++) await h.settle(rejectWith(new Error('down')));
}

async function toHalfOpen(h: ReturnType<typeof faultHarness>): Promise<void> {
  await trip(h);
  expect(h.breaker.state).toBe('open');
  h.clock.increment(1_000);
  await Promise.resolve();
}

describe('operation faults', () => {
  it('an operation that throws synchronously: the caller gets that very error, counted as a failure', async () => {
    const h = faultHarness(small);
    const boom = new Error('sync boom');
    const r = await h.settle(() => {
      throw boom;
    });
    expect(r.error).toBe(boom);
    expect(h.breaker.stats().counts.failed).toBe(1);
    expect(h.breaker.stats().consecutiveFailures).toBe(1);
    await h.settle(() => {
      throw boom;
    });
    await h.settle(() => {
      throw boom;
    });
    expect(h.breaker.state).toBe('open'); // sync throws trip like rejections
    h.clock.increment(1_000);
    expect(h.breaker.state).toBe('halfOpen');
    const probe = await h.settle(() => {
      throw boom;
    });
    expect(probe.error).toBe(boom); // a probe that throws synchronously reopens
    expect(h.breaker.stats()).toMatchObject({ state: 'open', attempt: 1 });
    h.disposeAndCheck();
  });

  it.each([
    ['a string', 'x'],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
  ])('an operation that rejects with %s: the caller gets exactly that value, counted as a failure', async (_what, value) => {
    const h = faultHarness(small);
    const seen: unknown[] = [];
    const h2 = faultHarness({ ...small, isFailure: (e) => (seen.push(e), true) });
    for (const harness of [h, h2]) {
      for (let i = 0; i < 3; i++) {
        const r = await harness.settle(rejectWith(value));
        expect(r.threw).toBe(true);
        expect(r.error).toBe(value);
      }
      expect(harness.breaker.stats().counts.failed).toBe(3);
      expect(harness.breaker.state).toBe('open');
      expect(harness.changes[0]?.reason).toMatchObject({ trigger: 'consecutiveFailures', value: 3 });
    }
    expect(seen).toEqual([value, value, value]);
    let invoked = false;
    const viaTry = await h.tryCall(() => ((invoked = true), rejectWith(value)()));
    // refused while open: never invoked, nothing more counted as failed
    expect(viaTry).toEqual({ ok: false, reason: { trigger: 'consecutiveFailures', value: 3, threshold: 3 }, retryAfterMs: 1_000 });
    expect(invoked).toBe(false);
    expect(h.breaker.state).toBe('open');
    expect(h.breaker.stats().counts).toMatchObject({ failed: 3, rejected: 1 });
    h.disposeAndCheck();
    h2.disposeAndCheck();
  });

  it.each([
    ['a number', 42],
    ['undefined', undefined],
    ['null', null],
    ['an object', { fill: 1 }],
  ])('an operation that returns %s instead of a promise: the caller gets it, counted as a success', async (_what, value) => {
    const h = faultHarness(small);
    const r = await h.settle(() => value);
    expect(r.value).toBe(value);
    expect(h.breaker.stats().counts.succeeded).toBe(1);
    h.disposeAndCheck();
  });

  it('a thenable that never settles in closed: counted in flight, then as slow, and it trips P99 without ever settling', async () => {
    const h = faultHarness(small);
    for (let i = 0; i < 9; i++) await h.settle(() => i);
    const never = { then: () => undefined } as unknown as PromiseLike<number>; // not even a real Promise
    void h.call(() => never);
    expect(h.breaker.stats().inFlight).toBe(1);
    h.clock.increment(101);
    const r = await h.settle(() => 'next');
    expect(isCircuitOpenError(r.error)).toBe(true);
    expect(r.error).toMatchObject({ reason: { trigger: 'p99', inFlightSlow: 1, samples: 10 } });
    expect(h.outcomes.pending).toBe(1);
    h.disposeAndCheck();
  });

  it('a probe that never settles in half-open: the probe timeout releases the permit and reopens', async () => {
    const h = faultHarness(small);
    await toHalfOpen(h);
    void h.call(() => new Promise(() => {}));
    const second = await h.settle(() => 'queued?');
    expect(second.error).toMatchObject({ name: 'CircuitOpenError', state: 'halfOpen' }); // refused, never queued
    h.clock.increment(499);
    expect(h.breaker.state).toBe('halfOpen');
    h.clock.increment(1);
    expect(h.breaker.stats()).toMatchObject({ state: 'open', attempt: 1 });
    expect(h.changes.at(-1)?.reason).toMatchObject({ trigger: 'probe', outcome: 'timeout' });
    h.clock.increment(2_000); // attempt 1: 2 s
    expect(h.breaker.state).toBe('halfOpen');
    expect((await h.settle(() => 'fill')).value).toBe('fill'); // a new permit: the hung probe holds none
    expect(h.breaker.state).toBe('closed');
    h.disposeAndCheck();
  });
});

describe('health check faults', () => {
  const cases: Array<[string, (signal: AbortSignal) => Promise<unknown>, Record<string, unknown>]> = [
    ['throws synchronously', (() => {
      throw new Error('probe crashed');
    }) as never, { outcome: 'error', error: 'Error: probe crashed' }],
    ['returns false', async () => false, { outcome: 'unhealthy' }],
    ['rejects with a string', () => Promise.reject('503'), { outcome: 'error', error: '503' }],
    ['rejects with undefined', () => Promise.reject(undefined), { outcome: 'error', error: 'undefined' }],
  ];
  for (const [what, healthCheck, reason] of cases) {
    it(`a health check that ${what}: unhealthy, open again with the next backoff`, async () => {
      const h = faultHarness({ ...small, healthCheck });
      await trip(h);
      h.clock.increment(1_000);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      expect(h.breaker.stats()).toMatchObject({ state: 'open', attempt: 1 });
      expect(h.changes.at(-1)).toMatchObject({ from: 'open', to: 'open', reason: { trigger: 'healthCheck', ...reason } });
      h.disposeAndCheck();
    });
  }

  it('a health check that hangs: times out, its signal is aborted, open again with the next backoff', async () => {
    let signal: AbortSignal | undefined;
    const h = faultHarness({ ...small, healthCheck: (s) => ((signal = s), new Promise(() => {})) });
    await trip(h);
    h.clock.increment(1_000);
    await Promise.resolve();
    expect(signal?.aborted).toBe(false);
    h.clock.increment(300);
    expect(signal?.aborted).toBe(true);
    expect(h.breaker.stats()).toMatchObject({ state: 'open', attempt: 1 });
    expect(h.changes.at(-1)?.reason).toMatchObject({ trigger: 'healthCheck', outcome: 'timeout', timeoutMs: 300 });
    h.disposeAndCheck();
  });

  it('a health check still running at dispose is aborted and leaves no timer', async () => {
    let signal: AbortSignal | undefined;
    const h = faultHarness({ ...small, healthCheck: (s) => ((signal = s), new Promise(() => {})) });
    await trip(h);
    h.clock.increment(1_000);
    await Promise.resolve();
    h.disposeAndCheck();
    expect(signal?.aborted).toBe(true);
  });
});

describe('listener faults', () => {
  it('a listener that throws is logged; the others and the breaker carry on', async () => {
    const h = faultHarness(small);
    const seen: string[] = [];
    h.breaker.onStateChange(() => {
      throw new Error('listener bug');
    });
    h.breaker.onStateChange((c) => seen.push(c.to));
    await trip(h);
    expect(seen).toEqual(['open']);
    expect(h.logs.filter((l) => l.level === 'error').map((l) => l.message)).toEqual(['a state change listener threw; it was ignored']);
    h.clock.increment(1_000);
    expect(seen).toEqual(['open', 'halfOpen']);
    h.disposeAndCheck();
  });

  it('a listener that unsubscribes itself during notification: called once; the others still get this change', async () => {
    const h = faultHarness(small);
    const seen: string[] = [];
    const off = h.breaker.onStateChange((c) => {
      seen.push(`once:${c.to}`);
      off();
    });
    h.breaker.onStateChange((c) => seen.push(`always:${c.to}`));
    await trip(h);
    h.clock.increment(1_000);
    expect(seen).toEqual(['once:open', 'always:open', 'always:halfOpen']);
    h.disposeAndCheck();
  });

  it('a listener that subscribes another during notification: the new one hears the next change, not this one', async () => {
    const h = faultHarness(small);
    const seen: string[] = [];
    let added = false;
    h.breaker.onStateChange((c) => {
      seen.push(`first:${c.to}`);
      if (!added) {
        added = true;
        h.breaker.onStateChange((d) => seen.push(`late:${d.to}`));
      }
    });
    await trip(h);
    h.clock.increment(1_000);
    expect(seen).toEqual(['first:open', 'first:halfOpen', 'late:halfOpen']);
    h.disposeAndCheck();
  });

  it('an RxJS subscriber to stateChanges$ that unsubscribes during notification changes nothing', async () => {
    const h = faultHarness(small);
    const seen: string[] = [];
    const sub = h.breaker.stateChanges$.subscribe((c) => {
      seen.push(c.to);
      sub.unsubscribe();
    });
    await trip(h);
    h.clock.increment(1_000);
    expect(seen).toEqual(['open']);
    expect(h.breaker.state).toBe('halfOpen');
    h.disposeAndCheck();
  });
});

describe('clock and latency faults', () => {
  it('a clock that goes backwards: the latency is recorded as 0 ms, reported once', async () => {
    const h = faultHarness(small);
    h.clock.increment(10_000);
    for (let i = 0; i < 3; i++) {
      const r = await h.settle(async () => {
        h.clock.nowOverride = () => 5_000; // an NTP step back mid-call
        return i;
      });
      h.clock.nowOverride = undefined;
      expect(r.value).toBe(i);
    }
    expect(h.breaker.stats()).toMatchObject({ samples: 3, p99Ms: 0, counts: { succeeded: 3, slow: 0 } });
    expect(h.logs.filter((l) => /clock went backwards/.test(l.message ?? ''))).toHaveLength(1);
    h.disposeAndCheck();
  });

  it('a clock that returns NaN: latency 0 ms, and the backoff is still planned and kept', async () => {
    const h = faultHarness(small);
    h.clock.nowOverride = () => Number.NaN;
    expect((await h.settle(() => 'a')).value).toBe('a');
    await trip(h);
    expect(h.breaker.state).toBe('open');
    const { nextAttemptAt } = h.breaker.stats();
    expect(Number.isFinite(nextAttemptAt)).toBe(true);
    h.clock.nowOverride = undefined;
    h.clock.increment(1_000);
    expect(h.breaker.state).toBe('halfOpen');
    expect((await h.settle(() => 'b')).value).toBe('b');
    expect(h.breaker.stats()).toMatchObject({ state: 'closed', p99Ms: null });
    h.disposeAndCheck();
  });

  it('a NaN latency (NaN clock reading at settle) counts as 0 ms, never as slow', async () => {
    const h = faultHarness(small);
    for (let i = 0; i < 10; i++) {
      await h.settle(async () => {
        h.clock.nowOverride = () => Number.NaN;
        return i;
      });
      h.clock.nowOverride = undefined;
    }
    expect(h.breaker.stats()).toMatchObject({ state: 'closed', samples: 10, p99Ms: 0, counts: { slow: 0 } });
    h.disposeAndCheck();
  });

  it('an Infinity latency (clock jumps to Infinity): the caller gets its value and the snapshot still restores', async () => {
    const h = faultHarness(small);
    for (let i = 0; i < 9; i++) await h.settle(() => i);
    const r = await h.settle(async () => {
      h.clock.nowOverride = () => Number.POSITIVE_INFINITY;
      return 'late';
    });
    h.clock.nowOverride = undefined;
    expect(r.value).toBe('late');
    expect(h.breaker.stats().counts.succeeded).toBe(10);
    expect(Number.isFinite(h.breaker.stats().nextAttemptAt ?? 0)).toBe(true);
    // What a restart would read back: JSON turns Infinity into null, which `restore` must still accept.
    const saved = JSON.parse(JSON.stringify(h.breaker.snapshot()));
    const again = createCircuitBreaker({ ...small, name: 'venue', clock: new SimulatedClock(), restore: saved });
    expect(again.state).toBe(h.breaker.state);
    again.dispose();
    h.disposeAndCheck();
  });

  it('a NaN reading at the start of a call that hangs does not hide later hung calls from the P99 rule', async () => {
    const h = faultHarness(small);
    for (let i = 0; i < 8; i++) await h.settle(() => i);
    h.clock.nowOverride = () => Number.NaN;
    void h.call(() => new Promise(() => {}));
    h.clock.nowOverride = undefined;
    void h.call(() => new Promise(() => {}));
    h.clock.increment(1_000); // both hung calls are now far past the 100 ms threshold
    const r = await h.settle(() => 'next');
    expect(r.error).toMatchObject({ name: 'CircuitOpenError', reason: { trigger: 'p99', inFlightSlow: 2 } });
    h.disposeAndCheck();
  });
});

describe('injected functions that misbehave', () => {
  it('a random source that throws: the breaker still opens with a backoff, never enters XState’s error status', async () => {
    const h = faultHarness({
      ...small,
      random: () => {
        throw new Error('entropy exhausted');
      },
    });
    await trip(h);
    expect(h.breaker.state).toBe('open');
    expect(h.changes.map((c) => c.to)).toEqual(['open']);
    h.clock.increment(1_100); // 1 s ± 10 %
    expect(h.breaker.state).toBe('halfOpen');
    h.disposeAndCheck();
  });

  it.each([Number.NaN, -1, 5, Number.POSITIVE_INFINITY])('a random source that returns %s: the backoff stays within its bounds', async (value) => {
    const h = faultHarness({ ...small, random: () => value });
    await trip(h);
    const delay = h.breaker.stats().nextAttemptAt! - h.clock.now();
    expect(delay).toBeGreaterThanOrEqual(900);
    expect(delay).toBeLessThanOrEqual(1_100);
    h.disposeAndCheck();
  });

  it('an isFailure that throws: the error counts as a failure, logged', async () => {
    const h = faultHarness({
      ...small,
      isFailure: () => {
        throw new Error('predicate bug');
      },
    });
    const boom = new Error('down');
    expect((await h.settle(rejectWith(boom))).error).toBe(boom);
    expect(h.breaker.stats().counts.failed).toBe(1);
    expect(h.logs.some((l) => /isFailure threw/.test(l.message ?? ''))).toBe(true);
    h.disposeAndCheck();
  });

  it('a logger that throws changes nothing', async () => {
    const boom = () => {
      throw new Error('logger down');
    };
    const clock = new SimulatedClock();
    const b = createCircuitBreaker({ ...small, clock, logger: { info: boom, warn: boom, error: boom } });
    b.onStateChange(boom);
    for (let i = 0; i < 3; i++) await b.execute(rejectWith(new Error('down'))).catch(() => {});
    expect(b.state).toBe('open');
    b.dispose();
  });

  it.each(['stateChanges$', 'samples$'] as const)(
    'a %s subscriber that throws is contained: logged, never reported to RxJS, and the other subscribers still get every value',
    async (stream) => {
      const reported: unknown[] = [];
      const previous = rxConfig.onUnhandledError;
      rxConfig.onUnhandledError = (error) => void reported.push(error);
      try {
        const h = faultHarness(small);
        const bug = new Error('subscriber bug');
        const before: unknown[] = [];
        const after: unknown[] = [];
        const source$ = (stream === 'stateChanges$' ? h.breaker.stateChanges$ : h.breaker.samples$) as Observable<unknown>;
        source$.subscribe((v) => void before.push(v));
        source$.subscribe(() => {
          throw bug;
        });
        source$.subscribe({ next: (v) => void after.push(v) });
        await trip(h);
        expect(h.breaker.state).toBe('open');
        await new Promise((r) => setTimeout(r, 5)); // RxJS would report on a later macrotask
        expect(reported).toEqual([]);
        const expected = stream === 'stateChanges$' ? 1 : 3; // one trip; three completed calls
        expect(before).toHaveLength(expected);
        expect(after).toEqual(before);
        const logged = h.logs.filter((l) => l.message === `a ${stream} subscriber threw; it was ignored`);
        expect(logged).toHaveLength(expected);
        expect(logged[0]).toMatchObject({ level: 'error', fields: { breaker: 'venue', err: bug } });
        // the breaker goes on: it still recovers and the streams still deliver
        h.clock.increment(1_000);
        expect(h.breaker.state).toBe('halfOpen');
        if (stream === 'stateChanges$') expect(after).toHaveLength(2);
        h.disposeAndCheck();
      } finally {
        rxConfig.onUnhandledError = previous;
      }
    },
  );
});

describe('lifecycle misuse', () => {
  it('execute after dispose is refused with a CircuitOpenError; the operation is never invoked', async () => {
    const h = faultHarness(small);
    h.breaker.dispose();
    let invoked = false;
    const r = await h.settle(() => (invoked = true));
    expect(invoked).toBe(false);
    expect(isCircuitOpenError(r.error)).toBe(true);
    expect(h.breaker.state).toBe('open'); // it refuses every call from now on
    expect(r.error).toMatchObject({ state: 'open', reason: { trigger: 'disposed' }, retryAfterMs: null });
    expect(await h.tryCall(() => (invoked = true))).toEqual({ ok: false, reason: { trigger: 'disposed' }, retryAfterMs: null });
    expect(invoked).toBe(false);
    expect(h.breaker.stats().counts.rejected).toBe(2);
    h.invariants();
    expect(h.clock.pending).toBe(0);
  });

  it('dispose twice is harmless: nothing pending, stateChanges$ completes once', async () => {
    const h = faultHarness(small);
    let completions = 0;
    h.breaker.stateChanges$.subscribe({ complete: () => completions++ });
    await trip(h);
    expect(h.clock.pending).toBe(1); // the backoff
    h.breaker.dispose();
    h.breaker.dispose();
    h.breaker[Symbol.dispose]();
    expect(completions).toBe(1);
    expect(h.clock.pending).toBe(0);
    h.invariants();
  });

  it('a call in flight at dispose still resolves for its caller, and drives nothing', async () => {
    const h = faultHarness(small);
    let finish!: (v: string) => void;
    const p = h.call(() => new Promise<string>((r) => (finish = r)));
    h.breaker.dispose();
    finish('late fill');
    await expect(p).resolves.toBe('late fill');
    expect(h.changes).toEqual([]);
    h.invariants();
    expect(h.clock.pending).toBe(0);
  });
});

describe('options fuzzed with fast-check', () => {
  const KEYS = [
    'name', 'failureThreshold', 'latencyThresholdMs', 'errorRateThreshold', 'windowSize', 'minimumSamples',
    'recoveryTimeoutMs', 'halfOpenRequests', 'halfOpenTimeoutMs', 'recovery', 'healthCheck', 'healthCheckTimeoutMs',
    'isFailure', 'clock', 'random', 'logger', 'inspect', 'restore',
  ] as const;
  const anything = fc.anything({
    withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true,
    withObjectString: true, withSparseArray: true, withTypedArray: true, maxDepth: 2,
  });
  const plausible = fc.oneof(anything, fc.integer({ min: -5, max: 2_000 }), fc.double(), fc.constantFrom(0, 1, 0.5, -1, NaN, Infinity));
  const realKeys = fc.record(Object.fromEntries(KEYS.map((k) => [k, plausible])) as Record<(typeof KEYS)[number], fc.Arbitrary<unknown>>, { requiredKeys: [] });
  const recoveryRecord = fc.record({ recovery: fc.record({ baseDelayMs: plausible, maxDelayMs: plausible, multiplier: plausible, jitterFactor: plausible }, { requiredKeys: [] }) }, { requiredKeys: [] });

  /** Either a ConfigError, or a breaker that takes a call, trips, and disposes cleanly. */
  async function workingOrConfigError(options: unknown): Promise<void> {
    let breaker;
    try {
      breaker = createCircuitBreaker(options as CircuitBreakerOptions);
    } catch (error) {
      if (!isConfigError(error)) throw error;
      return;
    }
    try {
      const value = await breaker.execute(() => 7);
      expect(value).toBe(7);
      expect(breaker.stats().counts.succeeded).toBe(1);
    } finally {
      breaker.dispose();
    }
  }

  it('fc.anything() as options', async () => {
    await fc.assert(fc.asyncProperty(anything, workingOrConfigError), { numRuns: 300 });
  });

  it('fc.object() as options', async () => {
    await fc.assert(fc.asyncProperty(fc.object({ maxDepth: 2, withNullPrototype: true, withBigInt: true }), workingOrConfigError), { numRuns: 300 });
  });

  it('records of the real keys with arbitrary values', async () => {
    await fc.assert(fc.asyncProperty(realKeys, workingOrConfigError), { numRuns: 500 });
  });

  it('records of the real recovery keys with arbitrary values', async () => {
    await fc.assert(fc.asyncProperty(recoveryRecord, workingOrConfigError), { numRuns: 300 });
  });

  it('valid options with a simulated clock, fuzzed numbers in range: every breaker trips and recovers', async () => {
    const valid = fc.record({
      failureThreshold: fc.integer({ min: 1, max: 5 }),
      latencyThresholdMs: fc.double({ min: 0, max: 1_000, noNaN: true }),
      errorRateThreshold: fc.double({ min: 0, max: 1, noNaN: true }),
      halfOpenRequests: fc.integer({ min: 1, max: 4 }),
      recoveryTimeoutMs: fc.integer({ min: 0, max: 100_000 }),
    });
    await fc.assert(
      fc.asyncProperty(valid, async (o) => {
        const clock = new SimulatedClock();
        const b = createCircuitBreaker({ ...o, clock, logger: { info() {}, warn() {}, error() {} } });
        for (let i = 0; i < o.failureThreshold; i++) await b.execute(rejectWith(new Error('x'))).catch(() => {});
        expect(b.state).toBe('open');
        clock.increment(300_000);
        expect(b.state).toBe('halfOpen');
        b.dispose();
      }),
      { numRuns: 100 },
    );
  });
});
