import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createCircuitBreaker, isCircuitOpenError, type CircuitBreaker, type StateChange } from '../../src/index.js';
import { settle } from '../support/settle.js';

/*
 * Races in half-open, explored by fast-check's scheduler: it decides in which order concurrent calls
 * (probes and others) settle, when late callers arrive and when simulated time moves. Whatever the order:
 * - a half-open stay admits at most `halfOpenRequests` probes;
 * - each half-open stay ends exactly once (close or reopen), and the first of its probes to settle (or its
 *   timeout) ends it;
 * - a result from a call admitted before the last state change (stale) never drives a transition;
 * - every call ends exactly once, as succeeded, failed or rejected.
 */

const THRESHOLD_MS = 100;
const OPEN_MS = 1_000;
const PROBE_TIMEOUT_MS = 500;

class NodeDown extends Error {
  override readonly name = 'NodeDown';
}

interface CallSpec {
  readonly fails: boolean;
}

/** What a call saw and did: when and in which stay it was admitted, when its operation settled. */
interface CallRecord {
  readonly id: number;
  admitted: boolean;
  /** The breaker's state when the operation was invoked (only if admitted). */
  stateAtAdmission: StateChange['to'] | null;
  /** How many state changes had happened at admission / at settlement. */
  stayAtAdmission: number;
  stayAtSettle: number;
  startedAt: number;
  settledAt: number;
  fails: boolean;
  ended: 'value' | 'error' | 'refused' | null;
  endings: number;
}

/** One entry of the run's history, in the order things happened. */
type Happening =
  | { readonly kind: 'task' }
  | { readonly kind: 'tick'; readonly ms: number }
  | { readonly kind: 'launch'; readonly id: number }
  | { readonly kind: 'settle'; readonly id: number }
  | { readonly kind: 'change'; readonly change: StateChange };

interface Run {
  readonly breaker: CircuitBreaker;
  readonly clock: SimulatedClock;
  readonly calls: CallRecord[];
  readonly history: Happening[];
  readonly changes: StateChange[];
  readonly endings: Array<Promise<void>>;
  /** Lines the breaker logged at error level (a listener threw, the machine failed): none expected. */
  readonly errors: unknown[];
}

/** Trips a breaker (one failure opens it) and waits out the backoff, so it starts in half-open. */
async function halfOpenBreaker(halfOpenRequests: number, history: Happening[]): Promise<Run> {
  const clock = new SimulatedClock();
  const errors: unknown[] = [];
  const breaker = createCircuitBreaker({
    name: 'race',
    clock,
    random: () => 0.5,
    logger: { info: () => {}, warn: () => {}, error: (fields: object) => errors.push(fields) },
    failureThreshold: 1,
    latencyThresholdMs: THRESHOLD_MS,
    halfOpenRequests,
    halfOpenTimeoutMs: PROBE_TIMEOUT_MS,
    recoveryTimeoutMs: OPEN_MS,
    recovery: { baseDelayMs: OPEN_MS, maxDelayMs: OPEN_MS, multiplier: 2, jitterFactor: 0 },
  });
  await breaker.execute(() => Promise.reject(new NodeDown('trip'))).catch(() => {});
  clock.increment(OPEN_MS);
  expect(breaker.state).toBe('halfOpen');
  const changes: StateChange[] = [];
  breaker.onStateChange((change) => {
    changes.push(change);
    history.push({ kind: 'change', change });
  });
  return { breaker, clock, calls: [], history, changes, endings: [], errors };
}

/** Starts one call whose operation settles when the scheduler says so. */
function launch(run: Run, s: fc.Scheduler, spec: CallSpec, act: fc.SchedulerAct | undefined): void {
  const record: CallRecord = {
    id: run.calls.length,
    admitted: false,
    stateAtAdmission: null,
    stayAtAdmission: -1,
    stayAtSettle: -1,
    startedAt: Number.NaN,
    settledAt: Number.NaN,
    fails: spec.fails,
    ended: null,
    endings: 0,
  };
  run.calls.push(record);
  run.history.push({ kind: 'launch', id: record.id });
  const operation = async (): Promise<string> => {
    record.admitted = true;
    record.stateAtAdmission = run.breaker.state;
    record.stayAtAdmission = run.changes.length;
    record.startedAt = run.clock.now();
    await s.schedule(Promise.resolve(), `settle call ${record.id} (${spec.fails ? 'fails' : 'succeeds'})`, undefined, act);
    record.stayAtSettle = run.changes.length;
    record.settledAt = run.clock.now();
    run.history.push({ kind: 'settle', id: record.id });
    if (spec.fails) throw new NodeDown(`call ${record.id}`);
    return `value ${record.id}`;
  };
  const ending = run.breaker.execute(operation).then(
    (value) => {
      expect(value).toBe(`value ${record.id}`);
      record.ended = 'value';
      record.endings++;
    },
    (error: unknown) => {
      if (isCircuitOpenError(error)) record.ended = 'refused';
      else {
        expect(error).toBeInstanceOf(NodeDown);
        record.ended = 'error';
      }
      record.endings++;
    },
  );
  run.endings.push(ending);
}

const callSpecArb = fc.record({ fails: fc.boolean() });

/** What the scheduler may interleave with the first wave of calls. */
type Extra = { readonly kind: 'tick'; readonly ms: number } | { readonly kind: 'late'; readonly spec: CallSpec };

const extraArb: fc.Arbitrary<Extra> = fc.oneof(
  fc.record({ kind: fc.constant('tick' as const), ms: fc.oneof(fc.integer({ min: 1, max: 150 }), fc.constantFrom(PROBE_TIMEOUT_MS, OPEN_MS)) }),
  fc.record({ kind: fc.constant('late' as const), spec: callSpecArb }),
);

/**
 * Starts the first wave of calls at once in half-open, lets the scheduler interleave their settlements with
 * ticks and late callers, and waits until everything has ended. `act`, when given, wraps each task.
 */
async function race(
  s: fc.Scheduler,
  halfOpenRequests: number,
  firstWave: readonly CallSpec[],
  extras: readonly Extra[],
  history: Happening[],
  act?: fc.SchedulerAct,
): Promise<Run> {
  const run = await halfOpenBreaker(halfOpenRequests, history);
  for (const spec of firstWave) launch(run, s, spec, act);
  for (const extra of extras) {
    if (extra.kind === 'tick') {
      void s.schedule(Promise.resolve(), `tick ${extra.ms}ms`, undefined, act).then(() => {
        run.history.push({ kind: 'tick', ms: extra.ms });
        run.clock.increment(extra.ms);
      });
    } else {
      void s.schedule(Promise.resolve(), 'late caller', undefined, act).then(() => launch(run, s, extra.spec, act));
    }
  }
  await s.waitIdle();
  await Promise.all(run.endings);
  return run;
}

/** Properties that hold whatever the interleaving, even at microtask granularity. */
function expectOrderIndependentInvariants(run: Run, halfOpenRequests: number): void {
  const { breaker, calls, changes } = run;
  expect(run.errors).toEqual([]);

  // every call ended exactly once, and counts add up
  for (const c of calls) {
    expect(c.endings).toBe(1);
    expect(c.ended === 'refused').toBe(!c.admitted);
  }
  const stats = breaker.stats();
  const trip = 1; // the failure that tripped the breaker before the race
  expect(stats.counts.succeeded + stats.counts.failed + stats.counts.rejected).toBe(calls.length + trip);
  expect(stats.counts.rejected).toBe(calls.filter((c) => !c.admitted).length);
  expect(stats.counts.failed).toBe(calls.filter((c) => c.admitted && c.fails).length + trip);

  // the state changes form one chain starting in half-open
  let state: StateChange['to'] = 'halfOpen';
  for (const change of changes) {
    expect(change.from).toBe(state);
    state = change.to;
  }
  expect(breaker.state).toBe(state);

  // each half-open stay admits at most halfOpenRequests probes (stay = number of changes before admission)
  const probesPerStay = new Map<number, number>();
  for (const c of calls) {
    if (c.stateAtAdmission === 'halfOpen') probesPerStay.set(c.stayAtAdmission, (probesPerStay.get(c.stayAtAdmission) ?? 0) + 1);
  }
  for (const count of probesPerStay.values()) expect(count).toBeLessThanOrEqual(halfOpenRequests);

  // a stay in half-open whose probe settled while it lasted has ended (every task ran, every probe settled)
  const finalStay = changes.length;
  if (breaker.state === 'halfOpen') expect(probesPerStay.get(finalStay) ?? 0).toBe(0);
}

/**
 * With each scheduled task run to completion (its promise callbacks included) before the next, every state
 * change has exactly one cause in the history: the tick, or the call settlement, of its task.
 */
function expectEveryChangeHasItsRightfulCause(run: Run): void {
  const causes = new Map<number, number>(); // call id → changes it caused
  let cause: Happening | null = null;
  let changeIndex = 0;
  for (const h of run.history) {
    if (h.kind === 'task') cause = null;
    else if (h.kind !== 'change') cause = h;
    else {
      const change = h.change;
      expect(cause, `change #${changeIndex} ${change.from}→${change.to} has no cause`).not.toBeNull();
      if (cause!.kind === 'settle') {
        const call = run.calls[cause!.id]!;
        // the result of a call admitted before the last state change never drives a transition
        expect(call.stayAtSettle, `stale call ${call.id} drove ${change.from}→${change.to}`).toBe(call.stayAtAdmission);
        expect(call.stayAtAdmission).toBe(changeIndex);
        causes.set(call.id, (causes.get(call.id) ?? 0) + 1);
        const latencyMs = call.settledAt - call.startedAt;
        if (call.stateAtAdmission === 'halfOpen') {
          const passed = !call.fails && latencyMs <= THRESHOLD_MS;
          expect(change).toMatchObject({
            from: 'halfOpen',
            to: passed ? 'closed' : 'open',
            reason: { trigger: 'probe', outcome: call.fails ? 'failed' : passed ? 'succeeded' : 'slow', valueMs: latencyMs },
          });
        } else {
          expect(change).toMatchObject({ from: 'closed', to: 'open', reason: { trigger: 'consecutiveFailures' } });
        }
      } else if (cause!.kind === 'tick') {
        // time ends a half-open stay only by its probe timeout, and an open one by its backoff
        if (change.from === 'halfOpen') expect(change.reason).toMatchObject({ trigger: 'probe', outcome: 'timeout' });
        else expect(change).toMatchObject({ from: 'open', to: 'halfOpen', reason: { trigger: 'recoveryDue' } });
      } else {
        expect.fail(`change ${change.from}→${change.to} caused by a ${cause!.kind}`);
      }
      changeIndex++;
    }
  }
  // a fresh failure in closed, or the first fresh probe result, always drives its transition
  for (const call of run.calls) {
    if (!call.admitted) continue;
    const fresh = call.stayAtSettle === call.stayAtAdmission;
    const decisive = call.stateAtAdmission === 'halfOpen' || call.fails;
    expect(causes.get(call.id) ?? 0, `call ${call.id}`).toBe(fresh && decisive ? 1 : 0);
  }
}

describe('half-open under reordered concurrency (fc.scheduler)', () => {
  it('admits at most halfOpenRequests probes per stay, ends each stay once, and ignores stale results (task by task)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler({ act: async (f) => { await f(); await settle(); } }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(callSpecArb, { minLength: 1, maxLength: 10 }),
        fc.array(extraArb, { maxLength: 14 }),
        async (s, halfOpenRequests, firstWave, extras) => {
          const history: Happening[] = [];
          const markTask: fc.SchedulerAct = async (f) => {
            history.push({ kind: 'task' });
            await f();
          };
          const run = await race(s, halfOpenRequests, firstWave, extras, history, markTask);
          try {
            expectOrderIndependentInvariants(run, halfOpenRequests);
            expectEveryChangeHasItsRightfulCause(run);
          } finally {
            run.breaker.dispose();
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps the order-independent invariants when callbacks interleave at microtask granularity', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(callSpecArb, { minLength: 1, maxLength: 12 }),
        fc.array(extraArb, { maxLength: 14 }),
        async (s, halfOpenRequests, firstWave, extras) => {
          const run = await race(s, halfOpenRequests, firstWave, extras, []);
          try {
            expectOrderIndependentInvariants(run, halfOpenRequests);
            // each change out of half-open is the result of a fresh probe of that stay, or its timeout
            let stay = 0;
            for (const change of run.changes) {
              if (change.from === 'halfOpen' && change.reason.trigger === 'probe' && change.reason.outcome !== 'timeout') {
                const candidates = run.calls.filter(
                  (c) => c.stateAtAdmission === 'halfOpen' && c.stayAtAdmission === stay && c.stayAtSettle === stay && c.settledAt - c.startedAt === (change.reason as { valueMs: number }).valueMs,
                );
                expect(candidates.length, `change #${stay} out of half-open`).toBeGreaterThan(0);
              }
              stay++;
            }
          } finally {
            run.breaker.dispose();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
