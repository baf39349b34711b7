import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerState } from '../breaker/BreakerState.js';
import type { BreakerStats } from '../breaker/BreakerStats.js';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { safeLog, type Logger } from '../Logger.js';
import { LatencyCursor } from './LatencyCursor.js';

/** What the metrics read from a breaker: a real `CircuitBreaker` qualifies. */
export type MeasuredBreaker = Pick<CircuitBreaker, 'name' | 'state' | 'stats' | 'onStateChange' | 'latenciesSince'>;

/** The prom-client classes, resolved lazily because prom-client is an optional peer dependency. */
export interface PromClientClasses {
  readonly Counter: typeof Counter;
  readonly Gauge: typeof Gauge;
  readonly Histogram: typeof Histogram;
}

/** Resolved options shared by every registration on one (registry, prefix). */
export interface MetricSetSettings {
  readonly registry: Registry;
  readonly prefix: string;
  /** Histogram upper bounds, in seconds. */
  readonly buckets: readonly number[];
  readonly logger: Logger;
}

const STATES: readonly BreakerState[] = ['closed', 'open', 'halfOpen', 'disabled'];

/** `stats().counts` field → `outcome` label. */
const OUTCOMES = [
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['rejected', 'rejected'],
  ['aborted', 'aborted'],
  ['slow', 'slow'],
  ['businessRejected', 'business_rejected'],
] as const;

interface Tracked {
  readonly breaker: MeasuredBreaker;
  readonly name: string;
  refs: number;
  readonly stopListening: () => void;
  /** Reads the latencies recorded since the last read into the histogram. */
  readonly latencies: LatencyCursor;
  /** Label sets of this breaker's transition series, to remove them on release. */
  readonly transitions: Map<string, Record<'breaker' | 'from' | 'to' | 'trigger', string>>;
}

/**
 * The prom-client metrics of one (registry, prefix), and the breakers they read. Registrations acquire
 * and release breakers (reference counted); the last release removes the metrics from the registry.
 * Internal: the public entry point is `registerBreakerMetrics`.
 *
 * @throws Error from the constructor when a metric of the same name is already in the registry.
 * @example
 * ```ts
 * const set = new BreakerMetricSet({ registry, prefix: 'p99_breaker_', buckets, logger }, { Counter, Gauge, Histogram });
 * set.acquire(breaker);
 * set.release(breaker);
 * set.close(); // the metrics leave the registry
 * ```
 */
export class BreakerMetricSet {
  readonly settings: MetricSetSettings;
  /** Live registrations; at zero the metrics leave the registry. */
  users = 0;
  readonly #tracked = new Map<MeasuredBreaker, Tracked>();
  /** Called at the start of each scrape: registrations that follow a registry reconcile their breakers. */
  readonly #beforeScrape = new Set<() => void>();
  /** One consistent `stats()` read per breaker per scrape, shared by every metric's collect(). */
  #scrape: Map<Tracked, BreakerStats> | undefined;
  readonly #reported = new Set<string>();

  readonly #calls: Counter<'breaker' | 'outcome'>;
  readonly #state: Gauge<'breaker' | 'state'>;
  readonly #transitions: Counter<'breaker' | 'from' | 'to' | 'trigger'>;
  readonly #p99: Gauge<'breaker'>;
  readonly #windowSamples: Gauge<'breaker'>;
  readonly #errorRatio: Gauge<'breaker'>;
  readonly #inFlight: Gauge<'breaker'>;
  readonly #latency: Histogram<'breaker'>;
  readonly #skipped: Counter<'breaker'>;
  readonly #attempt: Gauge<'breaker'>;
  readonly #nextAttempt: Gauge<'breaker'>;
  readonly #errors: Counter<'breaker' | 'stage'>;
  /** Every metric with its full name (prom-client's types do not expose `name`). */
  readonly #all: ReadonlyArray<readonly [string, Parameters<Registry['registerMetric']>[0]]>;

  /** @throws when a metric of the same name is already in the registry (prom-client's error). */
  constructor(settings: MetricSetSettings, prom: PromClientClasses) {
    this.settings = settings;
    const p = settings.prefix;
    const set = this;
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[], read: (s: BreakerStats) => number | null) =>
      new prom.Gauge<L>({
        name: p + name,
        help,
        labelNames,
        registers: [],
        collect() {
          set.#collect(this, (t, s) => {
            const value = read(s);
            if (value !== null) this.set({ breaker: t.name } as never, value);
          });
        },
      });

    this.#calls = new prom.Counter({
      name: `${p}calls_total`,
      help: 'Calls by outcome since the breaker was created. slow and business_rejected are subsets of succeeded/failed: do not sum every outcome.',
      labelNames: ['breaker', 'outcome'],
      registers: [],
      collect() {
        set.#collect(this, (t, s) => {
          for (const [field, outcome] of OUTCOMES) this.inc({ breaker: t.name, outcome }, s.counts[field]);
        });
      },
    });
    this.#state = new prom.Gauge({
      name: `${p}state`,
      help: 'The breaker state: one series per state, 1 for the current one.',
      labelNames: ['breaker', 'state'],
      registers: [],
      collect() {
        set.#collect(this, (t, s) => {
          for (const state of STATES) this.set({ breaker: t.name, state }, s.state === state ? 1 : 0);
        });
      },
    });
    this.#transitions = new prom.Counter({
      name: `${p}transitions_total`,
      help: 'State changes by from, to and trigger (an open stay re-planned counts as open → open).',
      labelNames: ['breaker', 'from', 'to', 'trigger'],
      registers: [],
      collect() {
        set.#beginScrape();
      },
    });
    this.#p99 = gauge('window_p99_seconds', 'Exact nearest-rank P99 of the trip window, in seconds (absent while the window is empty).', ['breaker'], (s) =>
      s.p99Ms === null ? null : s.p99Ms / 1000,
    );
    this.#windowSamples = gauge('window_samples', 'Completed calls in the trip window.', ['breaker'], (s) => s.samples);
    this.#errorRatio = gauge('window_error_ratio', 'Failures / samples in the trip window (0 when empty).', ['breaker'], (s) => s.errorRate);
    this.#inFlight = gauge('in_flight_calls', 'Calls sent and not yet settled (probes included).', ['breaker'], (s) => s.inFlight);
    this.#latency = new prom.Histogram({
      name: `${p}call_duration_seconds`,
      help: 'Latency of the calls measured into the trip window (closed and disabled states), in seconds; read from the window at each scrape and every periodMs.',
      labelNames: ['breaker'],
      buckets: [...settings.buckets],
      registers: [],
      collect() {
        set.#beginScrape();
        for (const t of set.#tracked.values()) set.#read(t);
      },
    });
    this.#skipped = new prom.Counter({
      name: `${p}latency_samples_skipped_total`,
      help: 'Latencies that left the trip window before a read reached them, so they are not in call_duration_seconds (more than windowSize calls between reads, or a window reset).',
      labelNames: ['breaker'],
      registers: [],
    });
    this.#attempt = gauge('recovery_attempt', 'Failed recovery attempts since the last close (k of the backoff).', ['breaker'], (s) => s.attempt);
    this.#nextAttempt = gauge('next_attempt_timestamp_seconds', 'Clock time of the next recovery attempt, in seconds (absent when none is scheduled).', ['breaker'], (s) =>
      s.nextAttemptAt === null ? null : s.nextAttemptAt / 1000,
    );
    this.#errors = new prom.Counter({
      name: `${p}metrics_errors_total`,
      help: 'Errors contained while collecting breaker metrics, by stage (breaker="" when not about one breaker).',
      labelNames: ['breaker', 'stage'],
      registers: [],
    });
    const metrics: ReadonlyArray<readonly [string, object]> = [
      ['calls_total', this.#calls],
      ['state', this.#state],
      ['transitions_total', this.#transitions],
      ['window_p99_seconds', this.#p99],
      ['window_samples', this.#windowSamples],
      ['window_error_ratio', this.#errorRatio],
      ['in_flight_calls', this.#inFlight],
      ['call_duration_seconds', this.#latency],
      ['latency_samples_skipped_total', this.#skipped],
      ['recovery_attempt', this.#attempt],
      ['next_attempt_timestamp_seconds', this.#nextAttempt],
      ['metrics_errors_total', this.#errors],
    ];
    this.#all = metrics.map(([name, metric]) => [p + name, metric as Parameters<Registry['registerMetric']>[0]] as const);
    const registered: string[] = [];
    try {
      for (const [name, metric] of this.#all) {
        settings.registry.registerMetric(metric);
        registered.push(name);
      }
    } catch (error) {
      for (const name of registered) settings.registry.removeSingleMetric(name);
      throw error;
    }
  }

  /** The metric names this set registered. */
  get names(): string[] {
    return this.#all.map(([name]) => name);
  }

  /** Starts (or, if already tracked, shares) the metrics of `breaker`. */
  acquire(breaker: MeasuredBreaker): void {
    const existing = this.#tracked.get(breaker);
    if (existing !== undefined) {
      existing.refs++;
      return;
    }
    const name = breaker.name;
    for (const other of this.#tracked.values()) {
      if (other.name === name) this.#report(name, 'duplicateName', new Error(`two breakers named "${name}": their series are merged`));
    }
    const tracked: Tracked = {
      breaker,
      name,
      refs: 1,
      latencies: new LatencyCursor(breaker),
      transitions: new Map(),
      stopListening: breaker.onStateChange((change) => {
        try {
          const labels = { breaker: name, from: change.from, to: change.to, trigger: change.reason.trigger };
          const key = `${labels.from}\u0000${labels.to}\u0000${labels.trigger}`;
          if (!tracked.transitions.has(key)) tracked.transitions.set(key, labels);
          this.#transitions.inc(labels);
        } catch (error) {
          this.#report(name, 'transition', error);
        }
      }),
    };
    this.#tracked.set(breaker, tracked);
    try {
      this.#skipped.inc({ breaker: name }, 0); // the series exists from the start, so rate() and alerts see it
    } catch (error) {
      this.#report(name, 'histogram', error);
    }
    // Start with what the window holds now; calls it evicted before this registration were never ours to read.
    this.#read(tracked, false);
  }

  /**
   * Reads the latencies `breaker` recorded since the last read into the histogram (its registration's
   * timer calls this every `periodMs`; every scrape reads all breakers). Untracked breakers are ignored.
   */
  readLatencies(breaker: MeasuredBreaker): void {
    const tracked = this.#tracked.get(breaker);
    if (tracked !== undefined) this.#read(tracked);
  }

  /** Drops one reference to `breaker`; at zero its series are removed and its listener ended. */
  release(breaker: MeasuredBreaker): void {
    const tracked = this.#tracked.get(breaker);
    if (tracked === undefined || --tracked.refs > 0) return;
    this.#tracked.delete(breaker);
    tracked.stopListening();
    // Gauges and calls_total are rebuilt at every scrape; these keep state, so remove it.
    for (const labels of tracked.transitions.values()) this.#transitions.remove(labels);
    if (!this.#namedElsewhere(tracked.name)) {
      this.#latency.remove({ breaker: tracked.name });
      this.#skipped.remove({ breaker: tracked.name });
    }
  }

  /** Registers a hook run at the start of each scrape; returns its removal. */
  onScrape(hook: () => void): () => void {
    this.#beforeScrape.add(hook);
    return () => this.#beforeScrape.delete(hook);
  }

  /** Removes every metric of this set from the registry and ends every listener. */
  close(): void {
    for (const tracked of [...this.#tracked.values()]) {
      tracked.refs = 1;
      this.release(tracked.breaker);
    }
    for (const [name, metric] of this.#all) {
      if ((this.settings.registry.getSingleMetric(name) as unknown) === metric) this.settings.registry.removeSingleMetric(name);
    }
  }

  /** Reports a contained error: counted every time, logged once per breaker and stage. */
  report(breaker: string, stage: string, error: unknown): void {
    this.#report(breaker, stage, error);
  }

  #report(breaker: string, stage: string, error: unknown): void {
    try {
      this.#errors.inc({ breaker, stage });
    } catch {
      // Counting failed too; the log line below still says what happened.
    }
    const key = `${breaker}\u0000${stage}`;
    if (this.#reported.has(key)) return;
    this.#reported.add(key);
    safeLog(this.settings.logger, 'error', { breaker, stage, err: error }, `breaker metrics: ${stage} failed; the scrape goes on without it`);
  }

  #namedElsewhere(name: string): boolean {
    for (const t of this.#tracked.values()) if (t.name === name) return true;
    return false;
  }

  /**
   * Pulls the latencies recorded since the tracked cursor out of the breaker's window into the histogram,
   * and counts those that left the window unread (and any invalid value) as skipped.
   */
  #read(tracked: Tracked, countSkipped = true): void {
    try {
      const read = tracked.latencies.read();
      const skipped = (countSkipped ? read.evicted : 0) + read.invalid;
      const latencies = read.latenciesMs;
      if (latencies.length > 0) {
        const child = this.#latency.labels({ breaker: tracked.name });
        for (let i = 0; i < latencies.length; i++) child.observe(latencies[i]! / 1000);
      }
      if (skipped > 0) this.#skipped.inc({ breaker: tracked.name }, skipped);
    } catch (error) {
      this.#report(tracked.name, 'histogram', error);
    }
  }

  /**
   * The per-scrape stats of every tracked breaker. A scrape calls every metric's collect() in one
   * synchronous pass, so the cache lives until the next microtask: one `stats()` read per breaker.
   */
  #beginScrape(): Map<Tracked, BreakerStats> {
    if (this.#scrape !== undefined) return this.#scrape;
    for (const hook of [...this.#beforeScrape]) {
      try {
        hook();
      } catch (error) {
        this.#report('', 'registry', error);
      }
    }
    const scrape = new Map<Tracked, BreakerStats>();
    for (const t of this.#tracked.values()) {
      try {
        scrape.set(t, t.breaker.stats());
      } catch (error) {
        this.#report(t.name, 'stats', error);
      }
    }
    this.#scrape = scrape;
    queueMicrotask(() => {
      this.#scrape = undefined;
    });
    return scrape;
  }

  /** A gauge's or calls_total's collect(): rebuilt from this scrape's stats, one breaker at a time. */
  #collect(metric: { reset(): void }, write: (t: Tracked, s: BreakerStats) => void): void {
    const scrape = this.#beginScrape();
    metric.reset();
    for (const [t, s] of scrape) {
      try {
        write(t, s);
      } catch (error) {
        this.#report(t.name, 'collect', error);
      }
    }
  }
}
