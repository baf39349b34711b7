/**
 * Every edge of the breaker's statechart (from xstate/graph's directed graph of the machine) is taken by
 * at least one scenario below, driven through the public breaker. The last test lists any edge never taken.
 */
import { describe, expect, it } from 'vitest';
import { SimulatedClock, type AnyTransitionDefinition } from 'xstate';
import { toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import {
  createBreakerMachine,
  createCircuitBreaker,
  type BreakerEnvironment,
  type CircuitBreaker,
  type CircuitBreakerOptions,
} from '../../src/index.js';

/** An edge's identity: source state, event (or delay / invoke result), which of its branches, target. */
function edgeKey(t: AnyTransitionDefinition): string {
  const branches = (t.source.transitions.get(t.eventType) ?? []) as AnyTransitionDefinition[];
  const targets = (t.target ?? [t.source]).map((n) => n.id).join(',');
  const event = t.eventType
    .replace(/^xstate\.after\.([^.]+)\..*$/, 'after($1)')
    .replace(/^xstate\.done\.actor\..*$/, 'done(invoke)')
    .replace(/^xstate\.error\.actor\..*$/, 'error(invoke)');
  return `${t.source.id} --${event}#${branches.indexOf(t)}--> ${targets}`;
}

/** Every edge of the machine, from xstate/graph. */
function allEdges(): string[] {
  const env: BreakerEnvironment = {
    settings: { failureThreshold: 1, latencyThresholdMs: 1, errorRateThreshold: 1, minimumSamples: 1, halfOpenTimeoutMs: 1, healthCheckTimeoutMs: 1, recovery: { recoveryTimeoutMs: 1, baseDelayMs: 1, maxDelayMs: 1, multiplier: 1, jitterFactor: 0 } },
    now: () => 0,
    random: () => 0.5,
    window: { consecutiveFailures: () => 0, samples: () => 0, p99Exceeded: () => false, p99Ms: () => 0, completedSamples: () => 0, errorRate: () => 0 },
    healthCheck: undefined,
    recoveryCoordinator: () => undefined,
  };
  const walk = (node: DirectedGraphNode): string[] => [...node.edges.map((e) => edgeKey(e.transition)), ...node.children.flatMap(walk)];
  return walk(toDirectedGraph(createBreakerMachine(env)));
}

const taken = new Set<string>();
const inspect = (event: unknown): void => {
  const e = event as { type: string; _transitions?: AnyTransitionDefinition[] };
  if (e.type === '@xstate.microstep') for (const t of e._transitions ?? []) taken.add(edgeKey(t));
};
const quiet = { info() {}, warn() {}, error() {} };
const down = (): Promise<never> => Promise.reject(new Error('down'));
const tick = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function breaker(clock: SimulatedClock, options: CircuitBreakerOptions = {}): CircuitBreaker {
  return createCircuitBreaker({
    name: 'venue', clock, random: () => 0.5, logger: quiet, inspect,
    failureThreshold: 3, windowSize: 10, minimumSamples: 10, latencyThresholdMs: 100,
    recoveryTimeoutMs: 1_000, halfOpenRequests: 1, halfOpenTimeoutMs: 500, healthCheckTimeoutMs: 300,
    ...options,
  });
}
async function trip(b: CircuitBreaker): Promise<void> {
  for (let i = 0; i < 3; i++) await b.execute(down).catch(() => {});
  expect(b.state).toBe('open');
}
/** Takes a snapshot in some state, then restores it into a fresh breaker (which sends RESUME). */
function restart(b: CircuitBreaker, clock: SimulatedClock): CircuitBreaker {
  const saved = JSON.parse(JSON.stringify(b.snapshot()));
  b.dispose();
  return breaker(clock, { restore: saved });
}
const lease = (granted: boolean | 'hang') => ({
  claimRecovery: () => (granted === 'hang' ? new Promise<boolean>(() => {}) : Promise.resolve(granted)),
  standByMs: 200,
});

describe('every edge of the breaker machine is exercised', () => {
  it('closed → open on each trip rule', async () => {
    const clock = new SimulatedClock();
    const streak = breaker(clock);
    await trip(streak);
    expect(streak.stats().counts.failed).toBe(3);
    const p99 = breaker(clock);
    for (let i = 0; i < 10; i++) await p99.execute(async () => clock.increment(i === 9 ? 150 : 1));
    expect(p99.state).toBe('open');
    const errorRate = breaker(clock);
    for (let i = 0; i < 10; i++) await errorRate.execute(i % 2 === 0 ? down : () => 'ok').catch(() => {});
    expect(errorRate.state).toBe('open');
    for (const b of [streak, p99, errorRate]) b.dispose();
  });

  it('open → half-open → closed, and a failed probe back to open, without a health check', async () => {
    const clock = new SimulatedClock();
    const b = breaker(clock);
    await trip(b);
    clock.increment(1_000);
    expect(b.state).toBe('halfOpen');
    await b.execute(down).catch(() => {});
    expect(b.stats()).toMatchObject({ state: 'open', attempt: 1 });
    clock.increment(2_000);
    await b.execute(() => 'ok');
    expect(b.state).toBe('closed');
    b.dispose();
  });

  it('half-open probe timeout, and probes abandoned by their callers', async () => {
    const clock = new SimulatedClock();
    const b = breaker(clock);
    await trip(b);
    clock.increment(1_000);
    const controller = new AbortController();
    void b.execute(() => new Promise(() => {}), { signal: controller.signal }).catch(() => {});
    controller.abort(); // probing → idle
    expect(b.state).toBe('halfOpen');
    void b.execute(() => new Promise(() => {}));
    clock.increment(500); // probing → open
    expect(b.state).toBe('open');
    b.dispose();
  });

  it('health check: healthy, unhealthy, rejecting, timing out', async () => {
    const clock = new SimulatedClock();
    const outcomes: Array<() => Promise<unknown>> = [
      async () => false,
      () => Promise.reject(new Error('503')),
      () => new Promise(() => {}),
      async () => true,
    ];
    let call = 0;
    const b = breaker(clock, { healthCheck: () => outcomes[call++]!() });
    await trip(b);
    clock.increment(1_000); // unhealthy
    await tick();
    clock.increment(2_000); // error
    await tick();
    clock.increment(4_000); // hangs …
    await tick();
    clock.increment(300); // … timeout
    expect(b.stats()).toMatchObject({ state: 'open', attempt: 3 });
    clock.increment(8_000); // healthy
    await tick();
    expect(b.state).toBe('halfOpen');
    b.dispose();
  });

  it('fleet: claims granted (with and without health check), refused, standing by, fleet open and closed', async () => {
    const clock = new SimulatedClock();
    const noCheck = breaker(clock);
    noCheck.setRecoveryCoordinator(lease(true));
    await trip(noCheck);
    clock.increment(1_000);
    await tick();
    expect(noCheck.state).toBe('halfOpen');
    noCheck.applyFleetState({ to: 'open', until: clock.now() + 5_000, instance: 'b', cause: null }); // halfOpen → open
    noCheck.applyFleetState({ to: 'open', until: clock.now() + 6_000, instance: 'b', cause: null }); // open → open
    noCheck.applyFleetState({ to: 'closed', instance: 'b' }); // open → closed
    noCheck.applyFleetState({ to: 'open', until: clock.now() + 5_000, instance: 'b', cause: null }); // closed → open
    expect(noCheck.state).toBe('open');
    noCheck.dispose();

    const withCheck = breaker(clock, { healthCheck: async () => true });
    withCheck.setRecoveryCoordinator(lease(true));
    await trip(withCheck);
    clock.increment(1_000);
    await tick();
    expect(withCheck.state).toBe('halfOpen');
    withCheck.applyFleetState({ to: 'closed', instance: 'b' }); // halfOpen → closed
    expect(withCheck.state).toBe('closed');
    withCheck.dispose();

    const refused = breaker(clock);
    refused.setRecoveryCoordinator(lease(false));
    await trip(refused);
    clock.increment(1_000);
    await tick(); // standingBy
    clock.increment(200); // → claimingRecovery again
    await tick();
    expect(refused.state).toBe('open');
    refused.dispose();
  });

  it('restart: RESUME from waiting, claiming, standing by, checking health and half-open', async () => {
    const clock = new SimulatedClock();
    const waiting = breaker(clock);
    await trip(waiting);
    restart(waiting, clock).dispose();

    const claiming = breaker(clock);
    claiming.setRecoveryCoordinator(lease('hang'));
    await trip(claiming);
    clock.increment(1_000);
    restart(claiming, clock).dispose();

    const standing = breaker(clock);
    standing.setRecoveryCoordinator(lease(false));
    await trip(standing);
    clock.increment(1_000);
    await tick();
    restart(standing, clock).dispose();

    const checking = breaker(clock, { healthCheck: () => new Promise(() => {}) });
    await trip(checking);
    clock.increment(1_000);
    const resumed = restart(checking, clock);
    expect(resumed.state).toBe('open');
    resumed.dispose();

    const halfOpen = breaker(clock);
    await trip(halfOpen);
    clock.increment(1_000);
    const reopened = restart(halfOpen, clock);
    expect(reopened.state).toBe('open');
    reopened.dispose();
  });

  it('manual controls from any state', async () => {
    const clock = new SimulatedClock();
    const b = breaker(clock);
    const who = { by: 'desk', why: 'test' };
    b.forceOpen(who);
    b.forceClose(who);
    b.disable(who);
    b.reset(who);
    expect(b.state).toBe('closed');
    b.dispose();
  });

  it('lists every edge of the machine and fails on any never taken', () => {
    const edges = allEdges();
    expect(edges.length).toBeGreaterThanOrEqual(30);
    expect(new Set(edges).size).toBe(edges.length); // the key tells every edge apart
    const missing = edges.filter((e) => !taken.has(e));
    expect(missing, `edges never taken:\n  ${missing.join('\n  ')}`).toEqual([]);
    const unknown = [...taken].filter((e) => !edges.includes(e));
    expect(unknown, 'edges taken that the graph does not list').toEqual([]);
  });
});
