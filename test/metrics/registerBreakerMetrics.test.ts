import { register as globalRegistry, Registry, type Histogram } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  createCircuitBreaker,
  isConfigError,
  registerBreakerMetrics,
  type BreakerRegistryLike,
  type CircuitBreaker,
  type Clock,
  type Logger,
  type MeasuredBreaker,
} from '../../src/index.js';
import { parseExposition } from './parseExposition.js';

const P = 'p99_breaker_';

function memoryLogger() {
  const lines: Array<{ level: string; fields: object; message: string | undefined }> = [];
  const at = (level: string) => (fields: object, message?: string) => void lines.push({ level, fields, message });
  const logger: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function setup(name = 'venue', registry = new Registry(), windowSize = 1_000) {
  const clock = new SimulatedClock();
  const breaker = createCircuitBreaker({
    name,
    clock,
    windowSize,
    random: () => 0.5,
    failureThreshold: 3,
    recoveryTimeoutMs: 1_000,
    recovery: { baseDelayMs: 1_000, jitterFactor: 0 },
    halfOpenRequests: 1,
    logger: memoryLogger().logger,
  });
  const call = (latencyMs: number, fail = false) =>
    breaker
      .execute(() => {
        clock.increment(latencyMs);
        if (fail) throw new Error('venue down');
        return 'ack';
      })
      .catch(() => undefined);
  return { clock, breaker, registry, call };
}

async function scrape(registry: Registry) {
  return parseExposition(await registry.metrics());
}

/** A clock over `inner` that knows which of its timers are still pending. */
function countingClock(inner: SimulatedClock) {
  const pending = new Set<unknown>();
  let armed = 0;
  const clock: Clock = {
    now: () => inner.now(),
    setTimeout(fn, ms) {
      armed++;
      const handle: unknown = inner.setTimeout(() => {
        pending.delete(handle);
        fn();
      }, ms);
      pending.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      pending.delete(handle);
      inner.clearTimeout(handle);
    },
  };
  return { clock, pending, armed: () => armed };
}

/** A breaker seen through a wrapper that counts window reads and any access to `samples$`. */
function spied(breaker: CircuitBreaker) {
  const counts = { reads: 0, samples$: 0 };
  const measured: MeasuredBreaker = {
    get name() {
      return breaker.name;
    },
    get state() {
      return breaker.state;
    },
    stats: () => breaker.stats(),
    onStateChange: (listener) => breaker.onStateChange(listener),
    latenciesSince: (cursor) => {
      counts.reads++;
      return breaker.latenciesSince(cursor);
    },
  };
  Object.defineProperty(measured, 'samples$', {
    get() {
      counts.samples$++;
      return breaker.samples$;
    },
  });
  return { measured, counts };
}

/**
 * Counts every value observed into the latency histogram, and reads what it holds WITHOUT running its
 * collect() (a scrape would read the windows first).
 */
function histogramProbe(registry: Registry, name = `${P}call_duration_seconds`) {
  const histogram = registry.getSingleMetric(name) as Histogram<'breaker'>;
  let observes = 0;
  const labels = histogram.labels.bind(histogram);
  histogram.labels = ((...args: Parameters<typeof labels>) => {
    const child = labels(...args);
    return { ...child, observe: (v: number) => (observes++, child.observe(v)) };
  }) as typeof histogram.labels;
  const observe = histogram.observe.bind(histogram);
  histogram.observe = ((...args: Parameters<typeof observe>) => (observes++, observe(...args))) as typeof histogram.observe;
  const held = async (metric: string, breaker: string): Promise<number> => {
    const target = registry.getSingleMetric(metric) as unknown as { collect: unknown; get(): Promise<{ values: Array<{ metricName?: string; labels: Record<string, unknown>; value: number }> }> };
    const { collect } = target;
    target.collect = undefined;
    try {
      const data = await target.get();
      const wanted = metric.endsWith('_total') ? metric : `${metric}_count`;
      return data.values.find((v) => (v.metricName ?? metric) === wanted && v.labels.breaker === breaker)?.value ?? 0;
    } finally {
      target.collect = collect;
    }
  };
  return {
    observes: () => observes,
    /** Calls in the histogram of `breaker`, without a scrape. */
    count: (breaker: string) => held(name, breaker),
    /** The skipped counter of `breaker`, without a scrape. */
    skipped: (breaker: string) => held(`${P}latency_samples_skipped_total`, breaker),
  };
}

describe('registerBreakerMetrics', () => {
  it('exports counts, state, transitions, backoff and the latency histogram after a trip and a recovery', async () => {
    const { clock, breaker, registry, call } = setup();
    const metrics = registerBreakerMetrics(breaker, { registry, clock });
    for (let i = 0; i < 5; i++) await call(250); // slow successes
    for (let i = 0; i < 3; i++) await call(10, true); // a failure streak opens
    expect(breaker.state).toBe('open');
    await call(10); // refused

    let m = await scrape(registry);
    const b = { breaker: 'venue' };
    expect(m.value(`${P}state`, { ...b, state: 'open' })).toBe(1);
    expect(m.value(`${P}state`, { ...b, state: 'closed' })).toBe(0);
    expect(m.samples(`${P}state`, b)).toHaveLength(4);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'succeeded' })).toBe(5);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'failed' })).toBe(3);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'rejected' })).toBe(1);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'slow' })).toBe(5);
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'business_rejected' })).toBe(0);
    expect(m.value(`${P}transitions_total`, { ...b, from: 'closed', to: 'open', trigger: 'consecutiveFailures' })).toBe(1);
    expect(m.value(`${P}recovery_attempt`, b)).toBe(0);
    expect(m.value(`${P}next_attempt_timestamp_seconds`, b)).toBeCloseTo((clock.now() + 1_000) / 1_000, 9);
    expect(m.value(`${P}window_p99_seconds`, b)).toBe(0.25);
    expect(m.value(`${P}window_samples`, b)).toBe(8);
    expect(m.value(`${P}window_error_ratio`, b)).toBeCloseTo(3 / 8, 12);
    // A timer read at t = 1 000 ms took the first 3; the scrape read the other 5.
    expect(m.value(`${P}call_duration_seconds_count`, b)).toBe(8);
    expect(m.value(`${P}latency_samples_skipped_total`, b)).toBe(0);
    expect(m.value(`${P}call_duration_seconds_bucket`, { ...b, le: '0.01' })).toBe(3);
    expect(m.value(`${P}call_duration_seconds_bucket`, { ...b, le: '0.25' })).toBe(8);
    expect(m.value(`${P}call_duration_seconds_bucket`, { ...b, le: '0.2' })).toBe(3);
    expect(m.value(`${P}call_duration_seconds_sum`, b)).toBeCloseTo(5 * 0.25 + 3 * 0.01, 9);

    clock.increment(1_000); // backoff over → halfOpen
    await call(20); // probe succeeds → closed
    m = await scrape(registry);
    expect(breaker.state).toBe('closed');
    expect(m.value(`${P}state`, { ...b, state: 'closed' })).toBe(1);
    expect(m.value(`${P}transitions_total`, { ...b, from: 'open', to: 'halfOpen', trigger: 'recoveryDue' })).toBe(1);
    expect(m.value(`${P}transitions_total`, { ...b, from: 'halfOpen', to: 'closed', trigger: 'probe' })).toBe(1);
    expect(m.samples(`${P}next_attempt_timestamp_seconds`, b)).toHaveLength(0); // none scheduled
    expect(m.samples(`${P}window_p99_seconds`, b)).toHaveLength(0); // fresh window
    expect(m.value(`${P}calls_total`, { ...b, outcome: 'succeeded' })).toBe(6);
    // The probe is not measured into the window: the histogram still holds the 8 calls, none skipped.
    expect(m.value(`${P}call_duration_seconds_count`, b)).toBe(8);
    expect(m.value(`${P}call_duration_seconds_sum`, b)).toBeCloseTo(5 * 0.25 + 3 * 0.01, 9);
    expect(m.value(`${P}latency_samples_skipped_total`, b)).toBe(0);
    metrics.unregister();
    breaker.dispose();
  });

  it('never registers in prom-client’s global registry', async () => {
    const { breaker, registry } = setup();
    const before = (await globalRegistry.metrics()).includes(P);
    const metrics = registerBreakerMetrics(breaker, { registry });
    expect(before).toBe(false);
    expect(await globalRegistry.metrics()).not.toContain(P);
    metrics.unregister();
    breaker.dispose();
  });

  it('unregister removes every series of the breaker, and the metrics once the last registration is gone', async () => {
    const registry = new Registry();
    const a = setup('a', registry);
    const b = setup('b', registry);
    const ma = registerBreakerMetrics(a.breaker, { registry });
    const mb = registerBreakerMetrics(b.breaker, { registry });
    for (let i = 0; i < 3; i++) await a.call(5, true); // a: transitions and histogram series
    await b.call(5);
    let m = await scrape(registry);
    expect(m.samples(`${P}transitions_total`, { breaker: 'a' })).toHaveLength(1);
    expect(m.value(`${P}call_duration_seconds_count`, { breaker: 'b' })).toBe(1);

    ma.unregister();
    ma.unregister(); // idempotent
    m = await scrape(registry);
    const names = [...m.families.values()].flatMap((f) => f.samples);
    expect(names.filter((s) => s.labels.breaker === 'a')).toEqual([]);
    expect(m.value(`${P}state`, { breaker: 'b', state: 'closed' })).toBe(1);

    mb.unregister();
    expect(await registry.metrics()).not.toContain(P);
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    // After unregister nothing listens to the breakers any more: calls do not reach a removed histogram.
    await a.call(5);
    expect(registry.getMetricsAsArray()).toHaveLength(0);
    a.breaker.dispose();
    b.breaker.dispose();
  });

  it('follows a breaker registry: listed breakers, breakers created later, and breakers it drops', async () => {
    const registry = new Registry();
    const first = setup('first', registry);
    const second = setup('second', registry);
    const listed: CircuitBreaker[] = [first.breaker];
    const created = new Set<(b: CircuitBreaker) => void>();
    const source: BreakerRegistryLike = {
      list: () => listed,
      onBreakerCreated(listener) {
        created.add(listener);
        return () => created.delete(listener);
      },
    };
    const metrics = registerBreakerMetrics(source, { registry });
    listed.push(second.breaker);
    for (const listener of created) listener(second.breaker);
    for (let i = 0; i < 3; i++) await second.call(5, true); // counted because it was announced
    let m = await scrape(registry);
    expect(m.value(`${P}state`, { breaker: 'first', state: 'closed' })).toBe(1);
    expect(m.value(`${P}transitions_total`, { breaker: 'second', from: 'closed', to: 'open', trigger: 'consecutiveFailures' })).toBe(1);

    listed.splice(0, 1); // the registry dropped `first`
    m = await scrape(registry);
    expect(m.samples(`${P}state`, { breaker: 'first' })).toEqual([]);
    metrics.unregister();
    expect(created.size).toBe(0);
    first.breaker.dispose();
    second.breaker.dispose();
  });

  it('contains errors during collection: a throwing stats(), list() or listener never fails the scrape', async () => {
    const registry = new Registry();
    const good = setup('good', registry);
    const bad = setup('bad', registry);
    const { logger, lines } = memoryLogger();
    bad.breaker.stats = () => {
      throw new Error('stats exploded');
    };
    let listThrows = false;
    const source: BreakerRegistryLike = {
      list: () => {
        if (listThrows) throw new Error('list exploded');
        return [good.breaker, bad.breaker];
      },
      onBreakerCreated: () => () => {},
    };
    const metrics = registerBreakerMetrics(source, { registry, logger });
    good.breaker.onStateChange(() => {
      throw new Error('a user listener exploded');
    });
    for (let i = 0; i < 3; i++) await good.call(5, true);

    let m = await scrape(registry);
    expect(m.value(`${P}state`, { breaker: 'good', state: 'open' })).toBe(1);
    expect(m.value(`${P}transitions_total`, { breaker: 'good', from: 'closed', to: 'open', trigger: 'consecutiveFailures' })).toBe(1);
    expect(m.samples(`${P}state`, { breaker: 'bad' })).toEqual([]);
    expect(m.value(`${P}metrics_errors_total`, { breaker: 'bad', stage: 'stats' })).toBe(1);

    listThrows = true;
    m = await scrape(registry);
    expect(m.value(`${P}state`, { breaker: 'good', state: 'open' })).toBe(1); // last known membership kept
    expect(m.value(`${P}metrics_errors_total`, { breaker: '', stage: 'registry' })).toBe(1);
    expect(m.value(`${P}metrics_errors_total`, { breaker: 'bad', stage: 'stats' })).toBe(2);
    // Logged once per breaker and stage, with the cause.
    const errors = lines.filter((l) => l.level === 'error');
    expect(errors).toHaveLength(2);
    expect(errors[0]!.fields).toMatchObject({ breaker: 'bad', stage: 'stats', err: expect.objectContaining({ message: 'stats exploded' }) });
    metrics.unregister();
    good.breaker.dispose();
    bad.breaker.dispose();
  });

  it('reads stats() once per breaker per scrape, not once per metric', async () => {
    const { breaker, registry } = setup();
    let reads = 0;
    const stats = breaker.stats.bind(breaker);
    breaker.stats = () => {
      reads++;
      return stats();
    };
    const metrics = registerBreakerMetrics(breaker, { registry });
    await registry.metrics();
    expect(reads).toBe(1);
    await registry.metrics();
    expect(reads).toBe(2);
    metrics.unregister();
    breaker.dispose();
  });

  it('does nothing on the call path: no samples$ subscription, and 10 000 calls do no histogram work until a scrape or a period', async () => {
    const { clock, breaker, registry } = setup('venue', new Registry(), 1_000);
    const { measured, counts } = spied(breaker);
    const metrics = registerBreakerMetrics(measured, { registry, clock, periodMs: 1_000 });
    const probe = histogramProbe(registry);
    const readsAtRegistration = counts.reads;
    for (let i = 0; i < 10_000; i++) await breaker.execute(() => 'ack'); // 0 ms each: no period elapses
    expect(counts.samples$).toBe(0);
    expect(counts.reads).toBe(readsAtRegistration);
    expect(probe.observes()).toBe(0);
    expect(await probe.count('venue')).toBe(0);

    clock.increment(1_000); // one period: one read of the window, in one batch
    expect(counts.reads).toBe(readsAtRegistration + 1);
    expect(probe.observes()).toBe(1_000);
    expect(await probe.count('venue')).toBe(1_000);
    expect(await probe.skipped('venue')).toBe(9_000); // the window holds the last 1 000

    for (let i = 0; i < 10; i++) await breaker.execute(() => 'ack');
    const m = await scrape(registry); // and a scrape reads the rest
    expect(m.value(`${P}call_duration_seconds_count`, { breaker: 'venue' })).toBe(1_010);
    expect(m.value(`${P}latency_samples_skipped_total`, { breaker: 'venue' })).toBe(9_000);
    expect(counts.samples$).toBe(0);
    metrics.unregister();
    breaker.dispose();
  });

  it('reads every periodMs without a scrape, so up to windowSize calls per period all reach the histogram', async () => {
    const { clock, breaker, registry, call } = setup('venue', new Registry(), 40);
    const metrics = registerBreakerMetrics(breaker, { registry, clock, periodMs: 100 });
    const probe = histogramProbe(registry);
    let latencies = 0;
    for (let i = 0; i < 50; i++) {
      const latencyMs = 1 + (i % 5); // about 33 calls per 100 ms period, fewer than the window's 40
      latencies += latencyMs;
      await call(latencyMs);
    }
    expect(clock.now()).toBe(150);
    // A SimulatedClock re-arms a timer from the moment it fired (≈ 100, inside a call): step past the next period.
    clock.increment(100);
    expect(await probe.count('venue')).toBe(50);
    expect(await probe.skipped('venue')).toBe(0);
    const m = await scrape(registry);
    expect(m.value(`${P}call_duration_seconds_count`, { breaker: 'venue' })).toBe(50);
    expect(m.value(`${P}call_duration_seconds_sum`, { breaker: 'venue' })).toBeCloseTo(latencies / 1_000, 9);
    expect(m.value(`${P}call_duration_seconds_bucket`, { breaker: 'venue', le: '0.001' })).toBe(10);
    expect(m.value(`${P}latency_samples_skipped_total`, { breaker: 'venue' })).toBe(0);
    metrics.unregister();
    breaker.dispose();
  });

  it('counts as skipped the latencies that left the window before a read: more than windowSize calls, or a reset', async () => {
    const { clock, breaker, registry, call } = setup('venue', new Registry(), 10);
    const metrics = registerBreakerMetrics(breaker, { registry, clock, periodMs: 60_000 });
    const b = { breaker: 'venue' };
    for (let i = 0; i < 25; i++) await call(5);
    let m = await scrape(registry);
    expect(m.value(`${P}call_duration_seconds_count`, b)).toBe(10);
    expect(m.value(`${P}latency_samples_skipped_total`, b)).toBe(15);

    for (let i = 0; i < 7; i++) await call(5);
    m = await scrape(registry);
    expect(m.value(`${P}call_duration_seconds_count`, b)).toBe(17);
    expect(m.value(`${P}latency_samples_skipped_total`, b)).toBe(15);

    for (let i = 0; i < 4; i++) await call(5);
    breaker.reset(); // a fresh window: the 4 unread latencies are gone, and counted
    await call(5);
    m = await scrape(registry);
    expect(m.value(`${P}call_duration_seconds_count`, b)).toBe(18);
    expect(m.value(`${P}latency_samples_skipped_total`, b)).toBe(19);
    // Every call measured into the window is either in the histogram or counted as skipped.
    const measured = 25 + 7 + 4 + 1;
    expect(m.value(`${P}call_duration_seconds_count`, b) + m.value(`${P}latency_samples_skipped_total`, b)).toBe(measured);
    metrics.unregister();
    breaker.dispose();
  });

  it('starts from what the window holds at registration: calls evicted before it are not counted as skipped', async () => {
    const { clock, breaker, registry, call } = setup('venue', new Registry(), 10);
    for (let i = 0; i < 25; i++) await call(5);
    const metrics = registerBreakerMetrics(breaker, { registry, clock });
    const m = await scrape(registry);
    expect(m.value(`${P}call_duration_seconds_count`, { breaker: 'venue' })).toBe(10);
    expect(m.value(`${P}latency_samples_skipped_total`, { breaker: 'venue' })).toBe(0);
    metrics.unregister();
    breaker.dispose();
  });

  it('unregister clears the timer: nothing is pending afterwards and the window is never read again', async () => {
    const { clock: simulated, breaker, registry, call } = setup();
    const { clock, pending, armed } = countingClock(simulated);
    const { measured, counts } = spied(breaker);
    const metrics = registerBreakerMetrics(measured, { registry, clock, periodMs: 250 });
    expect(pending.size).toBe(1);
    for (let i = 0; i < 4; i++) simulated.increment(250);
    expect(armed()).toBe(5); // re-armed after each of the 4 reads
    expect(pending.size).toBe(1);
    metrics.unregister();
    expect(pending.size).toBe(0);
    const reads = counts.reads;
    await call(5);
    simulated.increment(10_000);
    expect(counts.reads).toBe(reads);
    expect(armed()).toBe(5);
    metrics[Symbol.dispose](); // idempotent
    expect(pending.size).toBe(0);
    breaker.dispose();
  });

  it('a window read that throws is counted and logged; the scrape and the timer go on', async () => {
    const { clock: simulated, breaker, registry, call } = setup();
    const { clock, pending } = countingClock(simulated);
    const { logger, lines } = memoryLogger();
    let reads = 0;
    const latenciesSince = breaker.latenciesSince.bind(breaker);
    breaker.latenciesSince = (cursor) => {
      if (++reads > 1) throw new Error('window exploded');
      return latenciesSince(cursor);
    };
    const metrics = registerBreakerMetrics(breaker, { registry, clock, logger, periodMs: 100 });
    await call(5);
    for (let i = 0; i < 3; i++) simulated.increment(100); // three timer reads, all throwing
    expect(pending.size).toBe(1);
    const m = await scrape(registry);
    expect(m.value(`${P}state`, { breaker: 'venue', state: 'closed' })).toBe(1);
    expect(m.value(`${P}metrics_errors_total`, { breaker: 'venue', stage: 'histogram' })).toBe(4);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1);
    metrics.unregister();
    expect(pending.size).toBe(0);
    breaker.dispose();
  });

  it('gives breakers a registry adds later their own cursor, and releases a breaker the registry drops', async () => {
    const registry = new Registry();
    const first = setup('first', registry);
    const second = setup('second', registry);
    const clock = first.clock; // the metrics' timer runs on the first breaker's clock
    const spyFirst = spied(first.breaker);
    const listed: MeasuredBreaker[] = [spyFirst.measured];
    const created = new Set<(b: CircuitBreaker) => void>();
    const source: BreakerRegistryLike = {
      list: () => listed,
      onBreakerCreated(listener) {
        created.add(listener);
        return () => created.delete(listener);
      },
    };
    for (let i = 0; i < 2; i++) await first.call(5);
    const metrics = registerBreakerMetrics(source, { registry, clock, periodMs: 1_000 });
    for (let i = 0; i < 3; i++) await second.call(7); // before it is announced: already in its window
    listed.push(second.breaker);
    for (const listener of created) listener(second.breaker);
    await second.call(7);
    let m = await scrape(registry);
    expect(m.value(`${P}call_duration_seconds_count`, { breaker: 'first' })).toBe(2);
    expect(m.value(`${P}call_duration_seconds_count`, { breaker: 'second' })).toBe(4);
    expect(m.value(`${P}call_duration_seconds_sum`, { breaker: 'second' })).toBeCloseTo(4 * 0.007, 9);

    listed.splice(0, 1); // the registry drops `first`: the next period releases it, no scrape needed
    clock.increment(1_000);
    const reads = spyFirst.counts.reads;
    clock.increment(5_000);
    expect(spyFirst.counts.reads).toBe(reads);
    m = await scrape(registry);
    expect(m.samples(`${P}call_duration_seconds_count`, { breaker: 'first' })).toEqual([]);
    expect(m.samples(`${P}latency_samples_skipped_total`, { breaker: 'first' })).toEqual([]);
    expect(m.value(`${P}call_duration_seconds_count`, { breaker: 'second' })).toBe(4);

    await first.call(5);
    listed.push(spyFirst.measured); // back: a fresh cursor, starting from what its window holds
    m = await scrape(registry);
    expect(m.value(`${P}call_duration_seconds_count`, { breaker: 'first' })).toBe(3);
    expect(m.value(`${P}latency_samples_skipped_total`, { breaker: 'first' })).toBe(0);
    metrics.unregister();
    first.breaker.dispose();
    second.breaker.dispose();
  });

  it('takes a prefix and custom buckets, and rejects invalid options listing every problem', async () => {
    const { breaker, registry, call } = setup();
    const metrics = registerBreakerMetrics(breaker, { registry, prefix: 'desk_', buckets: [0.1, 1] });
    await call(50);
    const m = await scrape(registry);
    expect(m.samples('desk_call_duration_seconds_bucket', { breaker: 'venue' }).map((s) => s.labels.le)).toEqual(['0.1', '1', '+Inf']);
    expect(() => registerBreakerMetrics(breaker, { registry, prefix: 'desk_', buckets: [0.5] })).toThrow('buckets');
    metrics.unregister();

    let error: unknown;
    try {
      registerBreakerMetrics({} as never, { registry: {} as never, prefix: 'bad-prefix', buckets: [2, 1], periodMs: 0, clock: {} as never });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as { problems: Array<{ option: string }> }).problems.map((p) => p.option)).toEqual(['target', 'registry', 'prefix', 'buckets', 'periodMs', 'clock']);
    breaker.dispose();
  });

  it('refuses to overwrite a metric of the same name that someone else registered, and leaves nothing behind', () => {
    const { breaker, registry } = setup();
    registry.registerMetric({ name: `${P}window_samples`, get: async () => ({}) } as never);
    expect(() => registerBreakerMetrics(breaker, { registry })).toThrow('already been registered');
    expect(registry.getMetricsAsArray()).toHaveLength(1);
    breaker.dispose();
  });
});
