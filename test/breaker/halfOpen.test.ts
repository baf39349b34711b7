import { describe, expect, it } from 'vitest';
import { CircuitOpenError, isCircuitOpenError, type CircuitBreaker } from '../../src/index.js';
import { outcome } from '../support/outcome.js';
import { settle } from '../support/settle.js';
import { failCalls, NodeDown, timedCall, timedCalls, type ManualClock } from './helpers/calls.js';
import { deferred, type Deferred } from './helpers/deferred.js';
import { harness } from './helpers/harness.js';

/** Trips the breaker on failures and waits out the first backoff: it is then half-open. */
async function toHalfOpen(breaker: CircuitBreaker, clock: ManualClock): Promise<void> {
  await failCalls(breaker, 5);
  clock.increment(30_000);
  expect(breaker.state).toBe('halfOpen');
}

/** Admits one probe settled by hand; `invoked` says whether the operation ran. */
function probe(breaker: CircuitBreaker, signal?: AbortSignal) {
  const answer: Deferred<string> = deferred<string>();
  let invoked = false;
  const call = outcome(
    breaker.execute(
      () => {
        invoked = true;
        return answer.promise;
      },
      signal === undefined ? undefined : { signal },
    ),
  );
  return { answer, call, invoked: () => invoked };
}

describe('half-open: probes', () => {
  it('admits at most halfOpenRequests (3) probes at once and refuses the 4th at once, never queued', async () => {
    const { breaker, clock } = harness();
    await toHalfOpen(breaker, clock);
    const probes = [probe(breaker), probe(breaker), probe(breaker)];
    expect(probes.every((p) => p.invoked())).toBe(true);
    expect(breaker.stats().inFlight).toBe(3);

    const fourth = probe(breaker);
    const refused = await fourth.call; // settles while the three probes are still pending
    expect(fourth.invoked()).toBe(false);
    expect(refused.ok).toBe(false);
    const e = (refused as { error: CircuitOpenError }).error;
    expect(isCircuitOpenError(e)).toBe(true);
    expect(e.state).toBe('halfOpen');
    expect(e.sent).toBe(false);
    expect(probes.every((p) => !p.answer.settled)).toBe(true);

    clock.increment(20);
    probes[0]!.answer.resolve('fill');
    expect(await probes[0]!.call).toEqual({ ok: true, value: 'fill' });
    expect(breaker.state).toBe('closed');
    expect(fourth.invoked()).toBe(false); // not replayed on close
    expect(breaker.stats().counts.rejected).toBe(1);
  });

  it('frees a permit when a probe settles: with halfOpenRequests = 1 a second probe is refused until then', async () => {
    const { breaker, clock } = harness({ halfOpenRequests: 1 });
    await toHalfOpen(breaker, clock);
    const first = probe(breaker);
    const second = probe(breaker);
    expect((await second.call).ok).toBe(false);
    expect(second.invoked()).toBe(false);
    clock.increment(250);
    first.answer.resolve('slow'); // slow probe: reopens
    await first.call;
    expect(breaker.state).toBe('open');
  });

  it('closes on one successful probe within the latency threshold, with the probe in the reason', async () => {
    const { breaker, clock, changes } = harness();
    await toHalfOpen(breaker, clock);
    await timedCall(breaker, clock, 200); // exactly the threshold: within
    expect(breaker.state).toBe('closed');
    expect(changes.at(-1)).toMatchObject({
      from: 'halfOpen',
      to: 'closed',
      attempt: 0,
      nextAttemptAt: null,
      reason: { trigger: 'probe', outcome: 'succeeded', valueMs: 200, thresholdMs: 200 },
    });
  });

  it('reopens with attempt + 1 on a failed probe', async () => {
    const { breaker, clock, changes } = harness();
    await toHalfOpen(breaker, clock);
    const o = await timedCall(breaker, clock, 7, new NodeDown('still down'));
    expect(o.ok).toBe(false);
    expect(breaker.state).toBe('open');
    expect(changes.at(-1)).toMatchObject({ from: 'halfOpen', to: 'open', attempt: 1, reason: { trigger: 'probe', outcome: 'failed', valueMs: 7 } });
    expect(changes.at(-1)!.nextAttemptAt! - changes.at(-1)!.at).toBe(60_000);
  });

  it('reopens with attempt + 1 on a successful but slow probe (> latencyThresholdMs)', async () => {
    const { breaker, clock, changes } = harness();
    await toHalfOpen(breaker, clock);
    const o = await timedCall(breaker, clock, 201);
    expect(o).toEqual({ ok: true, value: 'ok' }); // the caller still gets its result
    expect(breaker.state).toBe('open');
    expect(changes.at(-1)).toMatchObject({ to: 'open', attempt: 1, reason: { trigger: 'probe', outcome: 'slow', valueMs: 201, thresholdMs: 200 } });
  });

  it('reopens when a probe hangs past halfOpenTimeoutMs (default 10 000), so half-open never hangs', async () => {
    const { breaker, clock, changes } = harness();
    await toHalfOpen(breaker, clock);
    const hung = probe(breaker);
    clock.increment(9_999);
    expect(breaker.state).toBe('halfOpen');
    clock.increment(1);
    expect(breaker.state).toBe('open');
    expect(changes.at(-1)).toMatchObject({ to: 'open', attempt: 1, reason: { trigger: 'probe', outcome: 'timeout', valueMs: 10_000 } });
    expect(changes.at(-1)!.nextAttemptAt! - changes.at(-1)!.at).toBe(60_000);
    // the hung probe answers at last: counted, but it is stale and changes nothing
    hung.answer.resolve('late');
    expect(await hung.call).toEqual({ ok: true, value: 'late' });
    expect(breaker.state).toBe('open');
    expect(breaker.stats().counts.succeeded).toBe(1);
  });

  it('honours a custom halfOpenTimeoutMs, timed from the first probe admitted', async () => {
    const { breaker, clock } = harness({ halfOpenTimeoutMs: 2_000 });
    await toHalfOpen(breaker, clock);
    clock.increment(5_000); // no probe yet: nothing to time out
    expect(breaker.state).toBe('halfOpen');
    probe(breaker);
    clock.increment(1_999);
    expect(breaker.state).toBe('halfOpen');
    clock.increment(1);
    expect(breaker.state).toBe('open');
  });

  it('an aborted probe releases its permit and counts as neither success nor failure', async () => {
    const { breaker, clock } = harness({ halfOpenRequests: 1 });
    await toHalfOpen(breaker, clock);
    const controller = new AbortController();
    const aborted = probe(breaker, controller.signal);
    expect((await probe(breaker).call).ok).toBe(false); // the one permit is taken
    const before = breaker.stats().counts;

    controller.abort();
    // the operation reacts to its signal by rejecting: this must not count as a failed probe
    aborted.answer.reject(controller.signal.reason);
    const o = await aborted.call;
    expect(o.ok).toBe(false);
    expect(breaker.state).toBe('halfOpen');
    const after = breaker.stats().counts;
    expect(after).toMatchObject({ succeeded: before.succeeded, failed: before.failed, aborted: before.aborted + 1 });

    const next = probe(breaker);
    expect(next.invoked()).toBe(true); // the permit came back
    clock.increment(10);
    next.answer.resolve('ok');
    await next.call;
    expect(breaker.state).toBe('closed');
  });

  it('an abandoned probe does not leave the probe timeout running', async () => {
    const { breaker, clock } = harness({ halfOpenRequests: 1 });
    await toHalfOpen(breaker, clock);
    const controller = new AbortController();
    probe(breaker, controller.signal);
    clock.increment(5_000);
    controller.abort();
    clock.increment(5_000); // 10 000 after the abandoned probe: no one is probing
    expect(breaker.state).toBe('halfOpen');
    const next = probe(breaker);
    clock.increment(9_999);
    expect(breaker.state).toBe('halfOpen'); // the timeout restarted with the new probe
    clock.increment(1);
    expect(breaker.state).toBe('open');
    expect(next.answer.settled).toBe(false);
  });

  it('a signal already aborted is not admitted: the operation is never invoked', async () => {
    const { breaker, clock } = harness();
    await toHalfOpen(breaker, clock);
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));
    const p = probe(breaker, controller.signal);
    const o = await p.call;
    expect(p.invoked()).toBe(false);
    expect(o).toEqual({ ok: false, error: controller.signal.reason });
    expect(breaker.stats().counts.aborted).toBe(1);
    expect(breaker.state).toBe('halfOpen');
  });
});

describe('→ closed resets the window, the streak and the attempt', () => {
  it('old slow samples cannot re-trip the circuit after it closed', async () => {
    const { breaker, clock } = harness();
    await timedCalls(breaker, clock, 500, 100); // P99 500 ms: trips
    expect(breaker.state).toBe('open');
    clock.increment(30_000);
    await timedCall(breaker, clock, 50, new NodeDown('down')); // attempt 1
    clock.increment(60_000);
    await timedCall(breaker, clock, 50);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats()).toMatchObject({ samples: 0, p99Ms: null, errorRate: 0, consecutiveFailures: 0, attempt: 0, nextAttemptAt: null });
    await timedCall(breaker, clock, 500); // one more slow call: alone, it cannot trip
    expect(breaker.state).toBe('closed');
    expect(breaker.stats()).toMatchObject({ samples: 1, p99Ms: 500 });
  });

  it('the failure streak starts from zero after closing', async () => {
    const { breaker, clock } = harness();
    await toHalfOpen(breaker, clock);
    await timedCall(breaker, clock, 10);
    expect(breaker.state).toBe('closed');
    await failCalls(breaker, 4);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().consecutiveFailures).toBe(4);
  });

  it('a pending probe’s timeout does not fire after the circuit closed', async () => {
    const { breaker, clock } = harness();
    await toHalfOpen(breaker, clock);
    probe(breaker); // pending probe: its timeout is armed
    await timedCall(breaker, clock, 10);
    expect(breaker.state).toBe('closed');
    clock.increment(60_000);
    await settle();
    expect(breaker.state).toBe('closed');
  });
});
