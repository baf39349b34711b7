import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCircuitBreaker, isCircuitOpenError, type CircuitBreaker, type StateChange } from '../../src/index.js';
import {
  ReferenceModel,
  type Admission,
  type CallOutcome,
  type ModelConfig,
  type Ticket,
  type Verdict,
} from './referenceModel.js';
import { SteppingClock } from '../../src/demo/SteppingClock.js';
import { advanceBy } from '../support/advanceBy.js';
import { outcome as settled, type Outcome as Settled } from '../support/outcome.js';
import { settle } from '../support/settle.js';

/*
 * Model-based test (fast-check `fc.commands` + `fc.asyncModelRun`): random call outcomes, latencies, time
 * steps, hand-resolved half-open probes, health-check verdicts and manual controls are applied to a real
 * breaker on a simulated clock and to the independent reference model; after every command the state,
 * admission, the caller's result, stats(), pending timers and the announced state changes must agree.
 */

class NodeDown extends Error {
  override readonly name = 'NodeDown';
}
/** A venue's business rejection: `isFailure` says no, so it is rethrown and counted as a success. */
class BusinessRejection extends Error {
  override readonly name = 'BusinessRejection';
}

/** A probe whose operation the test resolves by hand; same order as the model's `held` tickets. */
interface PendingProbe {
  readonly resolve: (value: string) => void;
  readonly reject: (error: unknown) => void;
  readonly result: Promise<Settled>;
}

/** The system under test and what the test needs to drive it. */
interface Real {
  readonly breaker: CircuitBreaker;
  readonly clock: SteppingClock;
  readonly changes: StateChange[];
  /** Lines the breaker logged at error level: a listener or predicate threw, or the machine failed. */
  readonly errors: unknown[];
  /** What the scripted health check answers when the breaker next calls it. */
  readonly script: { verdict: Verdict };
  readonly pending: PendingProbe[];
}

function errorFor(outcome: CallOutcome, label: string): Error | null {
  if (outcome === 'fail') return new NodeDown(label);
  if (outcome === 'business') return new BusinessRejection(label);
  return null;
}

// ------------------------------------------------------------------ checks

function expectSameState(m: ReferenceModel, r: Real): void {
  expect(r.errors).toEqual([]);
  expect(r.breaker.state).toBe(m.state);
  const stats = r.breaker.stats();
  const { aborted, businessRejected, ...documentedCounts } = m.counts;
  // the documented (enumerable) shape, exactly ...
  expect(stats).toEqual({
    state: m.state,
    p99Ms: m.p99(),
    samples: m.samples.length,
    errorRate: m.errorRate(),
    consecutiveFailures: m.streak,
    attempt: m.attempt,
    nextAttemptAt: m.nextAttemptAt,
    counts: documentedCounts,
  });
  // ... and the non-enumerable extras, read as properties
  expect(stats.name).toBe('model');
  expect(stats.inFlight).toBe(m.probesInFlight);
  expect(stats.latencyThresholdMs).toBe(m.config.latencyThresholdMs);
  expect(stats.counts.aborted).toBe(aborted);
  expect(stats.counts.businessRejected).toBe(businessRejected);
  const real = r.changes.splice(0);
  for (const c of real) expect(c.breaker).toBe('model');
  expect(real).toEqual(m.changes.splice(0)); // toEqual: the enumerable fields are exactly these six
  expect(r.clock.pending).toBe(m.pendingTimers);
  expect(r.clock.now()).toBe(m.now);
}

/** The caller's view of a call the model refused, or of an admitted call's own outcome. */
function expectCallerSaw(admission: Admission, outcome: CallOutcome, value: string, thrown: Error | null, got: Settled, api: 'execute' | 'tryExecute'): void {
  if (!admission.admitted) {
    if (api === 'tryExecute') {
      expect(got).toEqual({ ok: true, value: { ok: false, reason: admission.reason, retryAfterMs: admission.retryAfterMs } });
      expect((got as { value: object }).value).not.toHaveProperty('state');
      return;
    }
    expect(got.ok).toBe(false);
    const error = (got as { error: unknown }).error;
    expect(isCircuitOpenError(error)).toBe(true);
    expect(error).toMatchObject({ state: admission.state, retryAfterMs: admission.retryAfterMs, reason: admission.reason, breaker: 'model' });
    return;
  }
  if (outcome === 'ok') expect(got).toEqual({ ok: true, value: api === 'execute' ? value : { ok: true, value } });
  else expect(got).toEqual({ ok: false, error: thrown }); // the operation's own error, the same object
}

// ------------------------------------------------------------------ commands

type Cmd = fc.AsyncCommand<ReferenceModel, Real>;

/** A call that takes `latencyMs` of simulated time, then ends with `outcome`. */
class CallCommand implements Cmd {
  constructor(
    readonly latencyMs: number,
    readonly outcome: CallOutcome,
    readonly api: 'execute' | 'tryExecute',
  ) {}
  check = (): boolean => true;
  async run(m: ReferenceModel, r: Real): Promise<void> {
    let invoked = false;
    const thrown = errorFor(this.outcome, `call ${this.latencyMs}`);
    const value = `v${this.latencyMs}`;
    const operation = async (): Promise<string> => {
      invoked = true;
      await advanceBy(r.clock, this.latencyMs);
      if (thrown !== null) throw thrown;
      return value;
    };
    const call = r.breaker[this.api](operation);

    const admission = m.admit();
    if (admission.admitted) {
      m.advanceTo(m.now + this.latencyMs);
      m.complete(admission.ticket, this.outcome);
    }
    const got = await settled<unknown>(call);
    await settle();
    expect(invoked).toBe(admission.admitted); // a refused call is never sent
    expectCallerSaw(admission, this.outcome, value, thrown, got, this.api);
    expectSameState(m, r);
  }
  toString = (): string => `${this.api}(${this.latencyMs}ms, ${this.outcome})`;
}

/** A burst of back-to-back calls (fills windows larger than 100, where ⌈0.99·n⌉ < n). */
class BurstCommand implements Cmd {
  constructor(readonly calls: ReadonlyArray<{ readonly latencyMs: number; readonly outcome: CallOutcome }>) {}
  check = (m: Readonly<ReferenceModel>): boolean => m.state === 'closed';
  async run(m: ReferenceModel, r: Real): Promise<void> {
    for (const c of this.calls) await new CallCommand(c.latencyMs, c.outcome, 'execute').run(m, r);
  }
  toString = (): string => `burst(${this.calls.map((c) => `${c.latencyMs}${c.outcome[0]}`).join(' ')})`;
}

/**
 * After `waitMs` of simulated time, a half-open probe whose operation is resolved by hand later (or a
 * refusal when no permit is left, or when the wait ran into the probe timeout).
 */
class StartProbeCommand implements Cmd {
  constructor(readonly waitMs: number) {}
  check = (m: Readonly<ReferenceModel>): boolean => m.state === 'halfOpen';
  async run(m: ReferenceModel, r: Real): Promise<void> {
    if (this.waitMs > 0) {
      await advanceBy(r.clock, this.waitMs);
      m.advanceTo(m.now + this.waitMs);
    }
    expect(m.state).not.toBe('closed'); // time alone never closes: a held call here would be a probe or refused
    let invoked = false;
    let resolve!: (value: string) => void;
    let reject!: (error: unknown) => void;
    const operation = (): Promise<string> => {
      invoked = true;
      return new Promise<string>((res, rej) => {
        resolve = res;
        reject = rej;
      });
    };
    const result = settled(r.breaker.execute(operation));
    const admission = m.admit();
    expect(invoked).toBe(admission.admitted);
    if (admission.admitted) {
      m.held.push(admission.ticket);
      r.pending.push({ resolve, reject, result });
    } else {
      const got = await result;
      expectCallerSaw(admission, 'ok', '', null, got, 'execute');
    }
    await settle();
    expectSameState(m, r);
  }
  toString = (): string => `startProbe(after ${this.waitMs}ms)`;
}

/** Resolves one hand-held probe (maybe stale by now) with `outcome`. */
class ResolveProbeCommand implements Cmd {
  constructor(
    readonly pick: number,
    readonly outcome: CallOutcome,
  ) {}
  check = (m: Readonly<ReferenceModel>): boolean => m.held.length > 0;
  async run(m: ReferenceModel, r: Real): Promise<void> {
    const index = this.pick % m.held.length;
    const [ticket] = m.held.splice(index, 1);
    const [probe] = r.pending.splice(index, 1);
    const thrown = errorFor(this.outcome, 'probe');
    if (thrown === null) probe!.resolve('probe');
    else probe!.reject(thrown);
    m.complete(ticket!, this.outcome);
    const got = await probe!.result;
    await settle();
    expectCallerSaw({ admitted: true, ticket: ticket! }, this.outcome, 'probe', thrown, got, 'execute');
    expectSameState(m, r);
  }
  toString = (): string => `resolveProbe(#${this.pick}, ${this.outcome})`;
}

class TimeStepCommand implements Cmd {
  constructor(readonly ms: number) {}
  check = (): boolean => true;
  async run(m: ReferenceModel, r: Real): Promise<void> {
    await advanceBy(r.clock, this.ms);
    m.advanceTo(m.now + this.ms);
    expectSameState(m, r);
  }
  toString = (): string => `tick(${this.ms}ms)`;
}

class SetHealthCommand implements Cmd {
  constructor(readonly verdict: Verdict) {}
  check = (m: Readonly<ReferenceModel>): boolean => m.config.hasHealthCheck;
  async run(m: ReferenceModel, r: Real): Promise<void> {
    m.verdict = this.verdict;
    r.script.verdict = this.verdict;
    expectSameState(m, r);
  }
  toString = (): string => `health(${JSON.stringify(this.verdict)})`;
}

class ForceCommand implements Cmd {
  constructor(readonly action: 'forceOpen' | 'forceClose') {}
  check = (): boolean => true;
  async run(m: ReferenceModel, r: Real): Promise<void> {
    r.breaker[this.action]({ by: 'desk', why: `model ${this.action}` });
    m[this.action]('desk', `model ${this.action}`);
    await settle();
    expectSameState(m, r);
  }
  toString = (): string => this.action;
}

// ------------------------------------------------------------------ generation

/**
 * Integer weights of slow latencies (twice, against 500 fast ones) and of failures (against 6 successes and
 * 1 business rejection), and how many of the command kinds drawn from are bursts.
 */
interface Profile {
  readonly slow: number;
  readonly fail: number;
  readonly bursts: number;
}

function commandsFor(config: ModelConfig, maxCommands: number, profile: Profile = { slow: 50, fail: 3, bursts: 1 }) {
  const t = config.latencyThresholdMs;
  const latency = fc.oneof(
    { weight: 400, arbitrary: fc.integer({ min: 0, max: t }) },
    { weight: 100, arbitrary: fc.constantFrom(0, t) },
    { weight: profile.slow, arbitrary: fc.constantFrom(t + 1, 2 * t) },
    { weight: profile.slow, arbitrary: fc.integer({ min: t + 1, max: 4 * t }) },
    { weight: 5, arbitrary: fc.constantFrom(config.halfOpenTimeoutMs - 1, config.halfOpenTimeoutMs, config.recoveryTimeoutMs + config.halfOpenTimeoutMs) },
  );
  const outcome = fc.oneof(
    { weight: 6, arbitrary: fc.constant<CallOutcome>('ok') },
    { weight: profile.fail, arbitrary: fc.constant<CallOutcome>('fail') },
    { weight: 1, arbitrary: fc.constant<CallOutcome>('business') },
  );
  const verdict: fc.Arbitrary<Verdict> = fc.oneof(
    fc.constantFrom<unknown>(true, undefined, 'ok', 0, null).map((value) => ({ kind: 'healthy', value }) as const),
    fc.constant({ kind: 'unhealthy' } as const),
    fc.constant({ kind: 'throws', message: 'scripted health check failure' } as const),
    fc.constant({ kind: 'hangs' } as const),
  );
  const step = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 400 }) },
    { weight: 2, arbitrary: fc.constantFrom(config.halfOpenTimeoutMs, config.healthCheckTimeoutMs, config.recoveryTimeoutMs, 2 * config.recoveryTimeoutMs) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
  );
  const call = fc
    .tuple(latency, outcome, fc.constantFrom<'execute' | 'tryExecute'>('execute', 'execute', 'tryExecute'))
    .map(([l, o, api]): Cmd => new CallCommand(l, o, api));
  const burst = fc
    .array(fc.record({ latencyMs: latency, outcome }), { minLength: Math.min(5, config.windowSize), maxLength: config.windowSize, size: 'max' })
    .map((calls): Cmd => new BurstCommand(calls));
  const startProbe = fc
    .oneof(fc.constant(0), fc.integer({ min: 1, max: config.halfOpenTimeoutMs }))
    .map((waitMs): Cmd => new StartProbeCommand(waitMs));
  const resolveProbe = fc.tuple(fc.nat(), outcome).map(([pick, o]): Cmd => new ResolveProbeCommand(pick, o));
  const force = fc.constantFrom<'forceOpen' | 'forceClose'>('forceOpen', 'forceClose').map((a): Cmd => new ForceCommand(a));
  const tick = fc.oneof({ weight: 8, arbitrary: step.map((ms): Cmd => new TimeStepCommand(ms)) }, { weight: 1, arbitrary: force });
  const health = verdict.map((v): Cmd => new SetHealthCommand(v));
  // fc.commands picks an arbitrary uniformly: repeat one to weigh it
  const cmds: Array<fc.Arbitrary<Cmd>> = [call, call, call, call, ...new Array<typeof burst>(profile.bursts).fill(burst), startProbe, startProbe, startProbe, resolveProbe, resolveProbe, tick, tick, tick, tick];
  if (config.hasHealthCheck) cmds.push(health, health);
  return fc.commands(cmds, { maxCommands, size: 'max' });
}

function setup(config: ModelConfig): { model: ReferenceModel; real: Real } {
  const clock = new SteppingClock();
  const errors: unknown[] = [];
  const script: Real['script'] = { verdict: { kind: 'healthy', value: true } };
  const healthCheck = (signal: AbortSignal): Promise<unknown> => {
    const v = script.verdict;
    if (v.kind === 'healthy') return Promise.resolve(v.value);
    if (v.kind === 'unhealthy') return Promise.resolve(false);
    if (v.kind === 'throws') throw new Error(v.message); // synchronously: must count as an error all the same
    return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
  };
  const breaker = createCircuitBreaker({
    name: 'model',
    clock,
    random: () => config.randomValue,
    logger: { info: () => {}, warn: () => {}, error: (fields: object) => errors.push(fields) },
    isFailure: (e) => !(e instanceof BusinessRejection),
    failureThreshold: config.failureThreshold,
    latencyThresholdMs: config.latencyThresholdMs,
    errorRateThreshold: config.errorRateThreshold,
    windowSize: config.windowSize,
    minimumSamples: config.minimumSamples,
    recoveryTimeoutMs: config.recoveryTimeoutMs,
    halfOpenRequests: config.halfOpenRequests,
    halfOpenTimeoutMs: config.halfOpenTimeoutMs,
    healthCheckTimeoutMs: config.healthCheckTimeoutMs,
    recovery: { baseDelayMs: config.baseDelayMs, maxDelayMs: config.maxDelayMs, multiplier: config.multiplier, jitterFactor: config.jitterFactor },
    ...(config.hasHealthCheck ? { healthCheck } : {}),
  });
  const changes: StateChange[] = [];
  breaker.onStateChange((c) => changes.push(c));
  return { model: new ReferenceModel(config), real: { breaker, clock, changes, errors, script, pending: [] } };
}

async function runModel(config: ModelConfig, cmds: Iterable<Cmd>): Promise<void> {
  const s = setup(config);
  try {
    await fc.asyncModelRun(() => s, cmds);
    // the end of every run: nothing left pending after dispose
    for (const p of s.real.pending.splice(0)) p.resolve('late');
    await settle();
    s.real.breaker.dispose();
    expect(s.real.clock.pending).toBe(0);
  } finally {
    s.real.breaker.dispose();
  }
}

const base: ModelConfig = {
  failureThreshold: 3,
  latencyThresholdMs: 100,
  errorRateThreshold: 0.5,
  windowSize: 20,
  minimumSamples: 10,
  recoveryTimeoutMs: 1_000,
  halfOpenRequests: 2,
  halfOpenTimeoutMs: 500,
  healthCheckTimeoutMs: 300,
  baseDelayMs: 200,
  maxDelayMs: 8_000,
  multiplier: 2,
  jitterFactor: 0,
  randomValue: 0.5,
  hasHealthCheck: false,
};

describe('the breaker against a reference model (fc.commands)', () => {
  it('agrees on state, admission, results, stats, timers and state changes without a health check', async () => {
    await fc.assert(
      fc.asyncProperty(commandsFor(base, 60), (cmds) => runModel(base, cmds)),
      { numRuns: 250, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: true },
    );
  });

  it('agrees with a scripted health check (healthy, false, throws, hangs) and jitter at a fixed random value', async () => {
    // jitter 0.5 at r ∈ {0, 0.25, 0.75}: spreads ×0.5, ×0.75, ×1.25 keep every deadline an exact integer
    const arb = fc.constantFrom(0, 0.25, 0.75).chain((randomValue) => {
      const config: ModelConfig = { ...base, hasHealthCheck: true, jitterFactor: 0.5, randomValue, halfOpenRequests: 3 };
      return commandsFor(config, 60).map((cmds) => ({ config, cmds }));
    });
    await fc.assert(
      fc.asyncProperty(arb, ({ config, cmds }) => runModel(config, cmds)),
      { numRuns: 250, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: true },
    );
  });

  it('agrees with minimumSamples 0 and errorRateThreshold 0: the first failure trips, successes alone never do', async () => {
    const config: ModelConfig = { ...base, minimumSamples: 0, errorRateThreshold: 0 };
    await fc.assert(
      fc.asyncProperty(commandsFor(config, 40, { slow: 10, fail: 1, bursts: 1 }), (cmds) => runModel(config, cmds)),
      { numRuns: 100, interruptAfterTimeLimit: 10_000, markInterruptAsFailure: true },
    );
  });

  it('agrees on a window of 150 with minimumSamples 110, where the P99 is the 2nd or 3rd largest sample', async () => {
    const config: ModelConfig = { ...base, windowSize: 150, minimumSamples: 110, failureThreshold: 8, errorRateThreshold: 0.35, halfOpenRequests: 1 };
    await fc.assert(
      fc.asyncProperty(commandsFor(config, 30, { slow: 1, fail: 4, bursts: 6 }), (cmds) => runModel(config, cmds)),
      { numRuns: 60, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: true },
    );
  });
});
