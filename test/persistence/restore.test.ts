import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  attachStateStore,
  createCircuitBreaker,
  isConfigError,
  MemoryStateStore,
  type BreakerSnapshot,
  type CircuitBreaker,
  type StateChange,
} from '../../src/index.js';

const silent = { info() {}, warn() {}, error() {} };
const fail = (): Promise<never> => Promise.reject(new Error('venue down'));
const ok = (): Promise<string> => Promise.resolve('filled');

/** A breaker on `clock` that trips after 3 failures and waits exactly 10 s (no jitter) before recovering. */
function makeBreaker(clock: SimulatedClock, extra: Record<string, unknown> = {}): CircuitBreaker {
  return createCircuitBreaker({
    name: 'venue',
    clock,
    random: () => 0.5,
    failureThreshold: 3,
    recoveryTimeoutMs: 10_000,
    halfOpenTimeoutMs: 2_000,
    logger: silent,
    ...extra,
  });
}

async function trip(breaker: CircuitBreaker): Promise<void> {
  for (let i = 0; i < 3; i++) await breaker.execute(fail).catch(() => {});
  expect(breaker.state).toBe('open');
}

/** The half before a restart: a breaker on a fresh clock (set to `startAt`) saving to a fresh store, tripped. */
async function trippedAndSaved(startAt = 0): Promise<{ clock: SimulatedClock; store: MemoryStateStore; before: CircuitBreaker }> {
  const clock = new SimulatedClock();
  clock.set(startAt);
  const store = new MemoryStateStore();
  const before = makeBreaker(clock);
  attachStateStore(before, store);
  await trip(before);
  return { clock, store, before };
}

describe('restoring a breaker after a restart', () => {
  it('an open breaker saved to a store stays open for the remaining backoff, then recovers as usual', async () => {
    const { clock, store, before } = await trippedAndSaved(1_000_000);
    const deadline = before.stats().nextAttemptAt!;
    expect(deadline).toBe(1_000_000 + 10_000);
    clock.increment(4_000);
    before.dispose(); // the process dies 4 s into a 10 s backoff

    const after = makeBreaker(clock, { restore: store.load('venue') });
    const changes: StateChange[] = [];
    after.onStateChange((c) => changes.push(c));
    expect(after.state).toBe('open');
    expect(after.stats().nextAttemptAt).toBe(deadline);
    await expect(after.execute(ok)).rejects.toMatchObject({ name: 'CircuitOpenError', retryAfterMs: 6_000 });

    clock.increment(5_999);
    expect(after.state).toBe('open');
    clock.increment(1);
    expect(after.state).toBe('halfOpen');
    await expect(after.execute(ok)).resolves.toBe('filled');
    expect(after.state).toBe('closed');
    expect(changes.map((c) => `${c.from}→${c.to}`)).toEqual(['open→halfOpen', 'halfOpen→closed']);
    after.dispose();
  });

  it('a breaker restored after its deadline passed recovers at once', async () => {
    const { clock, store, before } = await trippedAndSaved();
    before.dispose();
    clock.increment(60_000); // the restart took longer than the backoff
    const after = makeBreaker(clock, { restore: store.load('venue') });
    expect(after.state).toBe('open');
    clock.increment(0);
    expect(after.state).toBe('halfOpen');
    after.dispose();
  });

  it('keeps the failed-attempt count, so the next backoff keeps growing', async () => {
    const { clock, store, before } = await trippedAndSaved();
    clock.increment(10_000);
    await before.execute(fail).catch(() => {}); // the probe fails: attempt 1, backoff 20 s
    expect(before.stats()).toMatchObject({ state: 'open', attempt: 1, nextAttemptAt: clock.now() + 20_000 });
    before.dispose();

    const after = makeBreaker(clock, { restore: store.load('venue') });
    expect(after.stats()).toMatchObject({ state: 'open', attempt: 1, nextAttemptAt: clock.now() + 20_000 });
    after.dispose();
  });

  it('a half-open breaker comes back open: its probes died with the process', async () => {
    const { clock, store, before } = await trippedAndSaved();
    clock.increment(10_000);
    expect(before.state).toBe('halfOpen');
    void before.execute(() => new Promise(() => {})); // a probe in flight when the process dies
    const saved = store.load('venue')!;
    before.dispose();

    const after = makeBreaker(clock, { restore: saved });
    expect(after.state).toBe('open');
    await expect(after.execute(ok)).rejects.toMatchObject({ name: 'CircuitOpenError', reason: { trigger: 'restored', from: 'halfOpen' } });
    const nextAttemptAt = after.stats().nextAttemptAt!;
    expect(nextAttemptAt).toBe(clock.now() + 10_000);
    clock.increment(10_000);
    expect(after.state).toBe('halfOpen');
    await after.execute(ok);
    expect(after.state).toBe('closed');
    after.dispose();
  });

  it('restores the window, so a closed breaker keeps judging the same samples', async () => {
    const clock = new SimulatedClock();
    const before = makeBreaker(clock, { minimumSamples: 10, windowSize: 20 });
    for (let i = 0; i < 15; i++) {
      await before.execute(async () => {
        clock.increment(i * 10);
        return i;
      });
    }
    await before.execute(fail).catch(() => {});
    await before.execute(fail).catch(() => {});
    const snapshot = JSON.parse(JSON.stringify(before.snapshot())) as BreakerSnapshot;
    const statsBefore = before.stats();
    before.dispose();
    const after = makeBreaker(clock, { minimumSamples: 10, windowSize: 20, restore: snapshot });
    const statsAfter = after.stats();
    expect(statsAfter).toMatchObject({ state: 'closed', p99Ms: statsBefore.p99Ms, samples: 17, errorRate: statsBefore.errorRate, consecutiveFailures: 2 });
    await after.execute(fail).catch(() => {}); // the third failure in a row, across the restart
    expect(after.state).toBe('open');
    after.dispose();
  });

  it('a forced-open breaker stays forced open, and a disabled one stays disabled', async () => {
    const clock = new SimulatedClock();
    const forced = makeBreaker(clock);
    forced.forceOpen({ by: 'desk', why: 'venue halted' });
    const disabled = makeBreaker(clock);
    disabled.disable({ by: 'desk', why: 'shadow' });
    const forcedAgain = makeBreaker(clock, { restore: forced.snapshot() });
    const disabledAgain = makeBreaker(clock, { restore: disabled.snapshot() });
    clock.increment(10 * 60_000);
    expect(forcedAgain.state).toBe('open');
    await expect(forcedAgain.execute(ok)).rejects.toMatchObject({ reason: { trigger: 'manual', by: 'desk', why: 'venue halted' } });
    expect(disabledAgain.state).toBe('disabled');
    for (const b of [forced, disabled, forcedAgain, disabledAgain]) b.dispose();
  });
});

describe('refusing a snapshot it cannot trust', () => {
  const valid = (): BreakerSnapshot => {
    const clock = new SimulatedClock();
    const b = makeBreaker(clock);
    const s = JSON.parse(JSON.stringify(b.snapshot())) as BreakerSnapshot;
    b.dispose();
    return s;
  };
  const refusals: Array<[string, (s: Record<string, any>) => unknown]> = [
    ['an incompatible version', (s) => ({ ...s, version: 2 })],
    ['another format', (s) => ({ ...s, format: 'opossum/state' })],
    ['a snapshot of another breaker', (s) => ({ ...s, name: 'other-venue' })],
    ['a state this machine does not have', (s) => ({ ...s, machine: { ...s.machine, value: 'melting' } })],
    ['a sub-state this machine does not have', (s) => ({ ...s, machine: { ...s.machine, value: { open: 'dreaming' } } })],
    ['a stopped machine', (s) => ({ ...s, machine: { ...s.machine, status: 'error' } })],
    ['a negative attempt', (s) => ({ ...s, machine: { ...s.machine, context: { ...s.machine.context, attempt: -1 } } })],
    ['a deadline that is not a number', (s) => ({ ...s, machine: { ...s.machine, context: { ...s.machine.context, nextAttemptAt: 'soon' } } })],
    ['window arrays of different lengths', (s) => ({ ...s, window: { ...s.window, latenciesMs: [1, 2], failed: [true] } })],
    ['a latency that is not a number', (s) => ({ ...s, window: { ...s.window, latenciesMs: [null], failed: [false] } })],
    ['a truncated snapshot', (s) => ({ format: s.format, version: s.version })],
    ['a string', () => '{"format":"p99-breaker/snapshot"'],
  ];
  for (const [what, corrupt] of refusals) {
    it(`refuses ${what} with a ConfigError naming restore, and creates nothing`, () => {
      const clock = new SimulatedClock();
      let created: CircuitBreaker | undefined;
      let error: unknown;
      try {
        created = makeBreaker(clock, { restore: corrupt(valid() as unknown as Record<string, any>) });
      } catch (e) {
        error = e;
      }
      expect(created).toBeUndefined();
      expect(isConfigError(error)).toBe(true);
      expect((error as Error).message).toMatch(/`restore`/);
    });
  }
});
