import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { BreakerState } from '../breaker/BreakerState.js';
import type { BreakerStats } from '../breaker/BreakerStats.js';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { safeLog, type Logger } from '../Logger.js';

/** What the metrics read from a breaker: a real `CircuitBreaker` qualifies. */
export type MeasuredBreaker = Pick<CircuitBreaker, 'name' | 'state' | 'stats' | 'onStateChange' | 'samples$'>;

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
  readonly batchSize: number;
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
  readonly samples: Subscription;
  /** Latencies (seconds) waiting to be observed into the histogram. */
  pending: number[];
  /** Label sets of this breaker's transition series, to remove them on release. */
  readonly transitions: Map<string, Record<'breaker' | 'from' | 'to' | 'trigger', string>>;
}

/**
 * The prom-client metrics of one (registry, prefix), and the breakers they read. Registrations acquire
 * and release breakers (reference counted); the last release removes the metrics from the registry.
 * Internal: the public entry point is `registerBreakerMetrics`.
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
      help: 'Latency of the calls measured into the trip window (closed and disabled states), in seconds; fed in batches from samples$.',
      labelNames: ['breaker'],
      buckets: [...settings.buckets],
      registers: [],
      collect() {
        set.#beginScrape();
        for (const t of set.#tracked.values()) set.#drain(t);
      },
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
      pending: [],
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
      samples: breaker.samples$.subscribe((sample) => {
        const x = sample.latencyMs;
        if (!(x >= 0 && x < Infinity)) return; // prom-client would throw inside the breaker's Subject
        tracked.pending.push(x / 1000);
        if (tracked.pending.length >= this.settings.batchSize) this.#drain(tracked);
      }),
    };
    this.#tracked.set(breaker, tracked);
  }

  /** Drops one reference to `breaker`; at zero its series are removed and its subscriptions ended. */
  release(breaker: MeasuredBreaker): void {
    const tracked = this.#tracked.get(breaker);
    if (tracked === undefined || --tracked.refs > 0) return;
    this.#tracked.delete(breaker);
    tracked.stopListening();
    tracked.samples.unsubscribe();
    tracked.pending = [];
    // Gauges and calls_total are rebuilt at every scrape; these two keep state, so remove it.
    for (const labels of tracked.transitions.values()) this.#transitions.remove(labels);
    if (!this.#namedElsewhere(tracked.name)) this.#latency.remove({ breaker: tracked.name });
  }

  /** Registers a hook run at the start of each scrape; returns its removal. */
  onScrape(hook: () => void): () => void {
    this.#beforeScrape.add(hook);
    return () => this.#beforeScrape.delete(hook);
  }

  /** Removes every metric of this set from the registry and ends every subscription. */
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

  /** Moves a breaker's buffered latencies into the histogram. */
  #drain(tracked: Tracked): void {
    if (tracked.pending.length === 0) return;
    const batch = tracked.pending;
    tracked.pending = [];
    try {
      const child = this.#latency.labels({ breaker: tracked.name });
      for (let i = 0; i < batch.length; i++) child.observe(batch[i]!);
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
