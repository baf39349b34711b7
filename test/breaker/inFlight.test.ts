import { describe, expect, it } from 'vitest';
import { isCircuitOpenError, type CircuitOpenError } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { timedCall, timedCalls } from './helpers/calls.js';
import { harness } from './helpers/harness.js';

/** A call that never settles. */
const never = (): Promise<never> => new Promise<never>(() => {});

describe('in-flight slowness: a hung node completes nothing, and still trips the breaker', () => {
  it('opens on admission when 100 hung calls are older than the threshold, though no call completed', async () => {
    const { breaker, clock, changes } = harness();
    for (let i = 0; i < 100; i++) void breaker.execute(never);
    clock.increment(200);
    let invoked = false;
    void breaker.execute(() => {
      invoked = true;
      return never();
    });
    expect(invoked).toBe(true); // age 200 is not > 200: admitted (and it hangs too)
    expect(breaker.state).toBe('closed');

    clock.increment(1);
    invoked = false;
    const o = await outcome(
      breaker.execute(async () => {
        invoked = true;
      }),
    );
    expect(breaker.state).toBe('open');
    expect(invoked).toBe(false);
    expect(isCircuitOpenError((o as { error: unknown }).error)).toBe(true);
    expect(((o as { error: CircuitOpenError }).error).reason.trigger).toBe('p99');
    const c = changes[0]!;
    expect(c.reason).toMatchObject({ trigger: 'p99', thresholdMs: 200, samples: 100, inFlightSlow: 100, valueMs: 201 });
    expect(breaker.stats().counts).toMatchObject({ succeeded: 0, failed: 0 });
  });

  it('counts two hung calls among about 100 as the slow 1 %: trips once they are older than 200 ms', async () => {
    const { breaker, clock, changes } = harness();
    void breaker.execute(never);
    void breaker.execute(never);
    await timedCalls(breaker, clock, 1, 98); // 98 ms pass
    clock.increment(102); // the hung calls are now 200 ms old
    await timedCall(breaker, clock, 0);
    expect(breaker.state).toBe('closed');
    clock.increment(1);
    const o = await timedCall(breaker, clock, 0);
    expect(o.ok).toBe(false);
    expect(breaker.state).toBe('open');
    // 99 completed + 2 overdue = 101 samples; the 100th smallest is an overdue call's age
    expect(changes[0]!.reason).toEqual({ trigger: 'p99', valueMs: 201, thresholdMs: 200, value: 201, threshold: 200, samples: 101, inFlightSlow: 2 });
  });

  it('one hung call among 100 is tolerated (P99 ignores a single outlier)', async () => {
    const { breaker, clock } = harness();
    void breaker.execute(never);
    await timedCalls(breaker, clock, 1, 99);
    clock.increment(1_000);
    await timedCalls(breaker, clock, 1, 5);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().inFlight).toBe(1);
  });

  it('below minimumSamples, hung calls alone do not trip', async () => {
    const { breaker, clock } = harness();
    for (let i = 0; i < 10; i++) void breaker.execute(never);
    clock.increment(10_000);
    await timedCalls(breaker, clock, 1, 5);
    expect(breaker.state).toBe('closed');
  });
});
