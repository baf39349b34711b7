import { register as globalRegistry, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  createCircuitBreaker,
  isConfigError,
  registerBreakerMetrics,
  type BreakerRegistryLike,
  type CircuitBreaker,
  type Logger,
} from '../../src/index.js';
import { parseExposition } from './parseExposition.js';

const P = 'p99_breaker_';

function memoryLogger() {
  const lines: Array<{ level: string; fields: object; message: string | undefined }> = [];
  const at = (level: string) => (fields: object, message?: string) => void lines.push({ level, fields, message });
  const logger: Logger = { info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

function setup(name = 'venue', registry = new Registry()) {
  const clock = new SimulatedClock();
  const breaker = createCircuitBreaker({
    name,
    clock,
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

describe('registerBreakerMetrics', () => {
  it('exports counts, state, transitions, backoff and the latency histogram after a trip and a recovery', async () => {
    const { clock, breaker, registry, call } = setup();
    const metrics = registerBreakerMetrics(breaker, { registry, batchSize: 1_000 });
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
    // The histogram is drained at scrape time even though the batch (1000) is not full.
    expect(m.value(`${P}call_duration_seconds_count`, b)).toBe(8);
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

  it('feeds the histogram in batches of batchSize from samples$', async () => {
    const { breaker, registry, call } = setup();
    const metrics = registerBreakerMetrics(breaker, { registry, batchSize: 4 });
    const histogram = registry.getSingleMetric(`${P}call_duration_seconds`)!;
    const observed = async () => {
      // get() without collect(): what has been observed so far, without the scrape-time drain.
      const { collect } = histogram as unknown as { collect: unknown };
      (histogram as unknown as { collect: unknown }).collect = undefined;
      const data = await histogram.get();
      (histogram as unknown as { collect: unknown }).collect = collect;
      return (data.values as Array<{ metricName?: string; value: number }>).find((v) => v.metricName === `${P}call_duration_seconds_count`)?.value ?? 0;
    };
    for (let i = 0; i < 3; i++) await call(5);
    expect(await observed()).toBe(0);
    await call(5);
    expect(await observed()).toBe(4);
    for (let i = 0; i < 2; i++) await call(5);
    expect(await observed()).toBe(4);
    expect((await scrape(registry)).value(`${P}call_duration_seconds_count`, { breaker: 'venue' })).toBe(6);
    metrics.unregister();
    breaker.dispose();
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
      registerBreakerMetrics({} as never, { registry: {} as never, prefix: 'bad-prefix', buckets: [2, 1], batchSize: 0 });
    } catch (e) {
      error = e;
    }
    expect(isConfigError(error)).toBe(true);
    expect((error as { problems: Array<{ option: string }> }).problems.map((p) => p.option)).toEqual(['target', 'registry', 'prefix', 'buckets', 'batchSize']);
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
