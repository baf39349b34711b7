import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { realClock, type Clock } from '../Clock.js';
import { ConfigError, type ConfigProblem } from '../errors/ConfigError.js';
import { consoleLogger, type Logger } from '../Logger.js';
import { repeatEvery } from '../repeatEvery.js';
import { BreakerMetricSet, type MeasuredBreaker, type PromClientClasses } from './BreakerMetricSet.js';

/**
 * Anything that holds breakers and announces new ones, such as `BreakerRegistry`: the metrics follow
 * every breaker it lists or creates.
 *
 * @example
 * ```ts
 * const source: BreakerRegistryLike = { list: () => [a, b], onBreakerCreated: () => () => {} };
 * ```
 */
export interface BreakerRegistryLike {
  /** The breakers it holds now. Read at every scrape, so breakers it drops leave the metrics. */
  list(): readonly MeasuredBreaker[];
  /** Calls `listener` with each breaker created from now on; returns the unsubscribe function. */
  onBreakerCreated(listener: (breaker: CircuitBreaker) => void): () => void;
}

/** Options of {@link registerBreakerMetrics}. */
export interface BreakerMetricsOptions {
  /** The prom-client registry to register into. Nothing is ever put in prom-client's global registry. */
  readonly registry: Registry;
  /** Prefix of every metric name. Defaults to `'p99_breaker_'`. */
  readonly prefix?: string;
  /** Latency histogram bucket upper bounds, in seconds, strictly increasing. Defaults to {@link DEFAULT_LATENCY_BUCKETS_SECONDS}. */
  readonly buckets?: readonly number[];
  /**
   * How often, in ms, each breaker's window is read into the latency histogram between scrapes (every
   * scrape reads it too). Keep it under the time a breaker takes to complete `windowSize` calls, or the
   * oldest are skipped (counted in `latency_samples_skipped_total`). Defaults to 1 000.
   */
  readonly periodMs?: number;
  /** The clock of that timer. Defaults to the real clock, whose timers are unref'd (they never keep a process alive). */
  readonly clock?: Clock;
  /** Where errors contained during collection are logged (once per breaker and stage). Defaults to `consoleLogger`. */
  readonly logger?: Logger;
}

/** The handle {@link registerBreakerMetrics} returns. */
export interface BreakerMetricsRegistration extends Disposable {
  /**
   * Clears the timer (nothing is pending afterwards) and removes this registration's breakers' series (and
   * the metrics themselves when it was the last one). Idempotent.
   */
  unregister(): void;
}

/**
 * The latency histogram's default buckets, in seconds (1 ms to 10 s): dense around the 200 ms default
 * threshold.
 *
 * @example
 * ```ts
 * registerBreakerMetrics(breaker, { registry, buckets: [...DEFAULT_LATENCY_BUCKETS_SECONDS, 30] });
 * ```
 */
export const DEFAULT_LATENCY_BUCKETS_SECONDS: readonly number[] = Object.freeze([
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 1, 2.5, 5, 10,
]);

// Per user-owned registry, not global: registrations on the same registry and prefix share one set.
const setsByRegistry = new WeakMap<Registry, Map<string, BreakerMetricSet>>();

/**
 * Exports a breaker's (or every breaker of a registry's) metrics to a prom-client registry: calls by
 * outcome, state, transitions by from/to/trigger, window P99, a latency histogram, backoff attempt and
 * next attempt time, each series labelled `breaker="<name>"`. See docs/monitoring.md for the list.
 *
 * Cost: nothing on the call path. Counts, state, P99 and backoff are read from `stats()` at scrape time.
 * The histogram pulls: at every scrape and every `periodMs` (on the injected `clock`) it reads
 * `breaker.latenciesSince(cursor)` — the window's latencies recorded since the previous read — and
 * observes them in one batch. Latencies that left the window before being read (more than `windowSize`
 * calls in one period, or a window reset) are counted in `latency_samples_skipped_total`, never lost silently.
 *
 * prom-client is an optional peer dependency: it is loaded on the first call, not when this package is
 * imported.
 *
 * @throws {ConfigError} on invalid options, or when the registry already uses these names with other buckets.
 * @throws {Error} when prom-client is not installed.
 * @example
 * ```ts
 * import { Registry } from 'prom-client';
 * const registry = new Registry();
 * const metrics = registerBreakerMetrics(breaker, { registry });
 * http.createServer(async (_req, res) => res.end(await registry.metrics())).listen(9464, '127.0.0.1');
 * // …
 * metrics.unregister(); // clears its timer
 * ```
 */
export function registerBreakerMetrics(
  target: MeasuredBreaker | BreakerRegistryLike,
  options: BreakerMetricsOptions,
): BreakerMetricsRegistration {
  const settings = resolve(target, options);
  let byPrefix = setsByRegistry.get(settings.registry);
  if (byPrefix === undefined) {
    byPrefix = new Map();
    setsByRegistry.set(settings.registry, byPrefix);
  }
  let set = byPrefix.get(settings.prefix);
  if (set === undefined) {
    set = new BreakerMetricSet(settings, loadPromClient());
    byPrefix.set(settings.prefix, set);
  } else if (set.settings.buckets.join() !== settings.buckets.join()) {
    throw new ConfigError([
      { option: 'buckets', value: settings.buckets, expected: `the buckets already registered under prefix "${settings.prefix}" (${set.settings.buckets.join(', ')})` },
    ]);
  }
  const metricSet = set;
  metricSet.users++;

  const { periodMs, clock } = settings;
  const members = new Set<MeasuredBreaker>();
  const add = (breaker: MeasuredBreaker): void => {
    if (members.has(breaker)) return;
    members.add(breaker);
    metricSet.acquire(breaker);
  };
  let stop = (): void => {};
  let refresh = (): void => {};
  if (isRegistryLike(target)) {
    const reconcile = (): void => {
      const current = new Set(target.list());
      for (const breaker of members) {
        if (!current.has(breaker)) {
          members.delete(breaker);
          metricSet.release(breaker);
        }
      }
      for (const breaker of current) add(breaker);
    };
    const offCreated = target.onBreakerCreated((breaker) => {
      try {
        add(breaker);
      } catch (error) {
        metricSet.report(safeName(breaker), 'breakerCreated', error);
      }
    });
    const offScrape = metricSet.onScrape(reconcile);
    stop = () => {
      offScrape();
      offCreated();
    };
    // The timer follows the registry too, so a dropped breaker is released within a period, not at the next scrape.
    refresh = () => {
      try {
        reconcile();
      } catch (error) {
        metricSet.report('', 'registry', error);
      }
    };
    reconcile();
  } else {
    add(target);
  }

  let registered = true;
  const stopReading = repeatEvery(clock, periodMs, () => {
    refresh();
    for (const breaker of members) metricSet.readLatencies(breaker);
  });

  const unregister = (): void => {
    if (!registered) return;
    registered = false;
    stopReading();
    stop();
    for (const breaker of members) metricSet.release(breaker);
    members.clear();
    if (--metricSet.users === 0) {
      metricSet.close();
      byPrefix.delete(settings.prefix);
    }
  };
  return { unregister, [Symbol.dispose]: unregister };
}

function isRegistryLike(target: unknown): target is BreakerRegistryLike {
  const t = target as Partial<BreakerRegistryLike> | null;
  return typeof t === 'object' && t !== null && typeof t.list === 'function' && typeof t.onBreakerCreated === 'function';
}

function safeName(breaker: unknown): string {
  try {
    return String((breaker as { name?: unknown }).name);
  } catch {
    return '';
  }
}

function resolve(target: unknown, options: BreakerMetricsOptions) {
  const problems: ConfigProblem[] = [];
  const t = target as Partial<MeasuredBreaker> | null;
  const isBreaker = typeof t === 'object' && t !== null && typeof t.name === 'string' && typeof t.stats === 'function' && typeof t.onStateChange === 'function' && typeof t.latenciesSince === 'function';
  if (!isRegistryLike(target) && !isBreaker) {
    problems.push({ option: 'target', value: target, expected: 'a CircuitBreaker or an object with list() and onBreakerCreated()' });
  }
  const o = (typeof options === 'object' && options !== null ? options : {}) as Partial<BreakerMetricsOptions>;
  const registry = o.registry;
  if (typeof registry !== 'object' || registry === null || typeof registry.registerMetric !== 'function') {
    problems.push({ option: 'registry', value: registry, expected: "a prom-client Registry (new Registry() from 'prom-client')" });
  }
  const prefix = o.prefix ?? 'p99_breaker_';
  if (typeof prefix !== 'string' || !/^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/.test(prefix)) {
    problems.push({ option: 'prefix', value: prefix, expected: 'a Prometheus metric name prefix ([a-zA-Z_:][a-zA-Z0-9_:]*)' });
  }
  const buckets = o.buckets ?? DEFAULT_LATENCY_BUCKETS_SECONDS;
  if (
    !Array.isArray(buckets) ||
    buckets.length === 0 ||
    !buckets.every((b, i) => typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > (buckets[i - 1] as number)))
  ) {
    problems.push({ option: 'buckets', value: buckets, expected: 'a non-empty, strictly increasing array of finite positive numbers (seconds)' });
  }
  const periodMs = o.periodMs ?? 1_000;
  if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs <= 0) {
    problems.push({ option: 'periodMs', value: periodMs, expected: 'a finite number of milliseconds > 0' });
  }
  const clock = o.clock ?? realClock;
  if (typeof clock !== 'object' || clock === null || typeof clock.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
    problems.push({ option: 'clock', value: clock, expected: 'a Clock with setTimeout and clearTimeout (e.g. SimulatedClock from xstate)' });
  }
  const logger = o.logger ?? consoleLogger;
  if (typeof logger !== 'object' || logger === null || typeof logger.error !== 'function') {
    problems.push({ option: 'logger', value: logger, expected: 'a pino-style logger' });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { registry: registry!, prefix, buckets: Object.freeze([...buckets]), logger, periodMs, clock };
}

let promClient: PromClientClasses | undefined;

/** prom-client is an optional peer dependency: resolve it on first use only. */
function loadPromClient(): PromClientClasses {
  if (promClient !== undefined) return promClient;
  try {
    promClient = createRequire(import.meta.url)('prom-client') as PromClientClasses;
  } catch (error) {
    throw new Error("registerBreakerMetrics needs the optional peer dependency 'prom-client': npm install prom-client", { cause: error });
  }
  return promClient;
}
