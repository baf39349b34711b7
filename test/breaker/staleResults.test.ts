import { describe, expect, it } from 'vitest';
import { outcome } from '../support/outcome.js';
import { failCalls, NodeDown, timedCall } from './helpers/calls.js';
import { deferred } from './helpers/deferred.js';
import { harness } from './helpers/harness.js';

/** Starts a call whose answer the test gives later. */
function pendingCall(execute: (op: () => Promise<string>) => Promise<string>) {
  const answer = deferred<string>();
  return { answer, call: outcome(execute(() => answer.promise)) };
}

describe('stale results: counted, never driving a transition', () => {
  it('slow calls admitted in closed that complete after the breaker opened are counted and change nothing', async () => {
    const { breaker, clock, changes } = harness();
    const old = Array.from({ length: 3 }, () => pendingCall((op) => breaker.execute(op)));
    await failCalls(breaker, 5);
    expect(breaker.state).toBe('open');
    const samplesWhenOpened = breaker.stats().samples;
    clock.increment(1_000);
    old[0]!.answer.resolve('ok');
    old[1]!.answer.reject(new NodeDown('late 503'));
    old[2]!.answer.resolve('ok');
    expect((await old[0]!.call).ok).toBe(true);
    expect((await old[1]!.call).ok).toBe(false);
    await old[2]!.call;
    expect(breaker.state).toBe('open');
    expect(changes).toHaveLength(1);
    expect(breaker.stats().counts).toMatchObject({ succeeded: 2, failed: 6, slow: 3 });
    expect(breaker.stats().samples).toBe(samplesWhenOpened);
  });

  it('a success from a call admitted in closed does not close a half-open circuit', async () => {
    const { breaker, clock, changes } = harness();
    const old = pendingCall((op) => breaker.execute(op));
    await failCalls(breaker, 5);
    clock.increment(30_000);
    expect(breaker.state).toBe('halfOpen');
    old.answer.resolve('ok');
    await old.call;
    expect(breaker.state).toBe('halfOpen');
    expect(changes.map((c) => c.to)).toEqual(['open', 'halfOpen']);
    expect(breaker.stats().counts.succeeded).toBe(1);
  });

  it('a failure from a call admitted in closed does not reopen a half-open circuit', async () => {
    const { breaker, clock } = harness();
    const old = pendingCall((op) => breaker.execute(op));
    await failCalls(breaker, 5);
    clock.increment(30_000);
    old.answer.reject(new NodeDown('late'));
    await old.call;
    expect(breaker.state).toBe('halfOpen');
    expect(breaker.stats()).toMatchObject({ attempt: 0, counts: { failed: 6 } });
  });

  it('a 2nd probe failing after the 1st closed the circuit is counted but leaves it closed with a clean streak', async () => {
    const { breaker, clock, changes } = harness();
    await failCalls(breaker, 5);
    clock.increment(30_000);
    const first = pendingCall((op) => breaker.execute(op));
    const second = pendingCall((op) => breaker.execute(op));
    clock.increment(10);
    first.answer.resolve('ok');
    await first.call;
    expect(breaker.state).toBe('closed');
    second.answer.reject(new NodeDown('late probe'));
    await second.call;
    expect(breaker.state).toBe('closed');
    expect(changes.map((c) => c.to)).toEqual(['open', 'halfOpen', 'closed']);
    expect(breaker.stats()).toMatchObject({ samples: 0, consecutiveFailures: 0, counts: { succeeded: 1, failed: 6 } });
  });

  it('a probe that timed out and fails during the next half-open episode does not reopen it', async () => {
    const { breaker, clock } = harness();
    await failCalls(breaker, 5);
    clock.increment(30_000);
    const hung = pendingCall((op) => breaker.execute(op));
    clock.increment(10_000); // probe timeout: open, attempt 1, 60 s
    expect(breaker.state).toBe('open');
    clock.increment(60_000);
    expect(breaker.state).toBe('halfOpen');
    hung.answer.reject(new NodeDown('finally'));
    await hung.call;
    expect(breaker.state).toBe('halfOpen');
    expect(breaker.stats().attempt).toBe(1);
    // the probe permits of this episode are intact
    await timedCall(breaker, clock, 10);
    expect(breaker.state).toBe('closed');
  });

  it('failures admitted before a close cannot trip the new closed period', async () => {
    const { breaker, clock } = harness();
    const old = Array.from({ length: 5 }, () => pendingCall((op) => breaker.execute(op)));
    await failCalls(breaker, 5);
    clock.increment(30_000);
    await timedCall(breaker, clock, 10);
    expect(breaker.state).toBe('closed');
    for (const o of old) o.answer.reject(new NodeDown('late'));
    await Promise.all(old.map((o) => o.call));
    expect(breaker.state).toBe('closed');
    expect(breaker.stats()).toMatchObject({ consecutiveFailures: 0, samples: 0, inFlight: 0, counts: { failed: 10 } });
  });

  it('a result arriving after a forced close does not count toward the fresh window', async () => {
    const { breaker, clock } = harness();
    const old = pendingCall((op) => breaker.execute(op));
    breaker.forceClose({ by: 'desk', why: 'test' }); // closed → closed: not a state change
    breaker.forceOpen({ by: 'desk', why: 'halt' });
    breaker.forceClose({ by: 'desk', why: 'resume' });
    clock.increment(5);
    old.answer.reject(new NodeDown('late'));
    await old.call;
    expect(breaker.stats()).toMatchObject({ consecutiveFailures: 0, samples: 0, counts: { failed: 1 } });
  });
});
