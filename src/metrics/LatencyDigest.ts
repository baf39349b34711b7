import tdigest from 'tdigest';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { realClock, type Clock } from '../Clock.js';
import { consoleLogger, safeLog, type Logger } from '../Logger.js';
import { repeatEvery } from '../repeatEvery.js';
import { LatencyCursor } from './LatencyCursor.js';

const { TDigest } = tdigest;
type TDigestInstance = InstanceType<typeof TDigest>;

const FORMAT = 'p99-breaker/latency-digest';

/**
 * The JSON form of a {@link LatencyDigest}: its centroids as `[meanMs, weight, exact]` triples sorted by
 * mean, plus the exact extremes. Plain data, so it can travel through Redis, a file or a message queue.
 *
 * @example
 * ```ts
 * const json: LatencyDigestJSON = digest.toJSON();
 * await redis.set(`latency:${instance}`, JSON.stringify(json));
 * ```
 */
export interface LatencyDigestJSON {
  readonly format: typeof FORMAT;
  readonly version: 1;
  /** The t-digest compression δ (about how many centroids it keeps; higher is more accurate). */
  readonly compression: number;
  /** Samples summarized: the sum of the centroid weights. */
  readonly count: number;
  /** The smallest and largest sample, exact; null when empty. */
  readonly minMs: number | null;
  readonly maxMs: number | null;
  /**
   * `[meanMs, weight, exact]` triples, sorted by mean; `exact` is 1 when every sample of the centroid
   * equals its mean (a singleton, or tied values), else 0.
   */
  readonly centroids: ReadonlyArray<readonly [number, number, 0 | 1]>;
}

/** Options of {@link LatencyDigest}. */
export interface LatencyDigestOptions {
  /** The t-digest compression δ, at least 20. Higher is more accurate and larger. Defaults to 100. */
  readonly compression?: number;
}

/**
 * A long-horizon latency summary (p50 … p99.9 over minutes or hours, not just the trip window), built on
 * the `tdigest` package: constant memory, mergeable across instances, JSON-serializable.
 *
 * Deterministic: the digest's re-compression shuffles its centroids with a seeded generator, not
 * `Math.random`, so the same input gives the same digest.
 *
 * @see Dunning & Ertl, "Computing Extremely Accurate Quantiles Using t-Digests" (2019).
 * @example
 * ```ts
 * const digest = new LatencyDigest({ compression: 200 });
 * digest.push([12, 15, 230, 14]);
 * digest.quantile(0.99); // ≈ 230
 * const fleetP99 = mergeLatencyDigests([digest.toJSON(), otherInstanceJson]).quantile(0.99);
 * ```
 */
export class LatencyDigest {
  readonly #compression: number;
  readonly #td: TDigestInstance;
  /** Centroid count above which the digest is re-compressed (the package's own rule, K = 25). */
  readonly #maxCentroids: number;
  #count = 0;
  #min = Infinity;
  #max = -Infinity;
  #seed = 0x9e3779b9;
  /**
   * Centroids whose samples are not all equal to their mean. The others are exact points (every singleton,
   * and the tied values an integer-ms clock produces): a quantile that falls on one is returned exactly,
   * where the package's interpolation would blend 200 × 20 ms with 2 × 350 ms into a "median" of 23 ms.
   */
  #spread = new WeakSet<object>();

  /** @throws {TypeError} when `compression` is not a finite number ≥ 20. */
  constructor(options: LatencyDigestOptions = {}) {
    const compression = options.compression ?? 100;
    if (typeof compression !== 'number' || !Number.isFinite(compression) || compression < 20) {
      throw new TypeError(`LatencyDigest: \`compression\` must be a finite number ≥ 20, got ${String(compression)}`);
    }
    this.#compression = compression;
    // K = 0 turns off the package's automatic compress(), which shuffles with Math.random; we do it seeded.
    this.#td = new TDigest(1 / compression, 0);
    this.#maxCentroids = 25 * compression;
  }

  /** The compression δ this digest was created with. */
  get compression(): number {
    return this.#compression;
  }

  /** How many samples the digest summarizes. */
  get count(): number {
    return this.#count;
  }

  /**
   * Adds a batch of latencies (ms). Meant to be called with batches, off the per-call path: see
   * {@link trackLatencyDigest}, which pulls them from the breaker's window on a timer.
   *
   * @throws {TypeError} naming the first value that is not a finite number ≥ 0; nothing is added then.
   */
  push(latenciesMs: readonly number[]): void {
    for (let i = 0; i < latenciesMs.length; i++) {
      const x = latenciesMs[i];
      if (typeof x !== 'number' || !(x >= 0) || x === Infinity) {
        throw new TypeError(`LatencyDigest.push: latenciesMs[${i}] must be a finite number ≥ 0, got ${String(x)}`);
      }
    }
    for (let i = 0; i < latenciesMs.length; i++) {
      const x = latenciesMs[i]!;
      if (x < this.#min) this.#min = x;
      if (x > this.#max) this.#max = x;
      this.#add(x, 1, true);
      this.#count++;
    }
  }

  /**
   * The estimated `q`-quantile in ms (`q` in [0, 1]; 0 and 1 give the exact minimum and maximum), or null
   * when the digest is empty.
   *
   * @throws {RangeError} when `q` is not in [0, 1].
   */
  quantile(q: number): number | null {
    if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw new RangeError(`LatencyDigest.quantile: q must be in [0, 1], got ${String(q)}`);
    if (this.count === 0) return null;
    if (q === 0) return this.#min;
    if (q === 1) return this.#max;
    // The centroid whose mass covers rank q·n: if it is an exact point, that is the answer.
    const h = q * this.#count;
    let covering: { mean: number } | undefined;
    let cumulative = 0;
    for (const c of this.#td.toArray(true)) {
      cumulative += c.n;
      if (h <= cumulative) {
        covering = c;
        break;
      }
    }
    if (covering !== undefined && !this.#spread.has(covering)) return covering.mean;
    const estimate = this.#td.percentile(q);
    return Math.min(this.#max, Math.max(this.#min, estimate));
  }

  /**
   * Adds another digest's samples to this one (another instance's, or its JSON). The other is unchanged.
   *
   * @throws {TypeError} when `other` is JSON that {@link LatencyDigest.fromJSON} rejects.
   */
  merge(other: LatencyDigest | LatencyDigestJSON): this {
    const json = other instanceof LatencyDigest ? other.toJSON() : parseDigestJSON(other);
    if (json.count === 0) return this;
    const centroids = json.centroids.map(([mean, n, exact]) => ({ mean, n, exact: exact === 1 }));
    // Sorted input is a t-digest's worst case (nothing merges): feed the other's centroids shuffled.
    this.#shuffle(centroids);
    for (const c of centroids) {
      this.#add(c.mean, c.n, c.exact);
      this.#count += c.n;
    }
    this.#min = Math.min(this.#min, json.minMs!);
    this.#max = Math.max(this.#max, json.maxMs!);
    return this;
  }

  /** The digest as plain, versioned JSON (see {@link LatencyDigestJSON}). */
  toJSON(): LatencyDigestJSON {
    const empty = this.count === 0;
    return {
      format: FORMAT,
      version: 1,
      compression: this.#compression,
      count: this.count,
      minMs: empty ? null : this.#min,
      maxMs: empty ? null : this.#max,
      centroids: this.#td.toArray(true).map((c) => [c.mean, c.n, this.#spread.has(c) ? 0 : 1] as const),
    };
  }

  /**
   * Rebuilds a digest from {@link LatencyDigest.toJSON}'s output (or its `JSON.parse`d text).
   *
   * @throws {TypeError} naming the first invalid field (`format`, `version`, `compression`, `count`,
   *   `minMs`, `maxMs`, `centroids[i]`).
   */
  static fromJSON(json: unknown): LatencyDigest {
    const parsed = parseDigestJSON(json);
    const digest = new LatencyDigest({ compression: parsed.compression });
    // Loaded in mean order, every centroid lands past the current maximum and is kept as is: exact.
    for (const [mean, n, exact] of parsed.centroids) digest.#add(mean, n, exact === 1);
    digest.#count = parsed.count;
    if (parsed.count > 0) {
      digest.#min = parsed.minMs!;
      digest.#max = parsed.maxMs!;
    }
    return digest;
  }

  /** Forgets every sample. */
  reset(): void {
    this.#td.reset();
    this.#spread = new WeakSet();
    this.#count = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }

  /** The package's compress(), with a seeded shuffle instead of Math.random. */
  #compress(): void {
    const points = this.#td.toArray(true).map((c) => ({ mean: c.mean, n: c.n, exact: !this.#spread.has(c) }));
    this.#td.reset();
    this.#spread = new WeakSet();
    this.#shuffle(points);
    for (const c of points) this.#add(c.mean, c.n, c.exact, false);
  }

  /**
   * Adds `n` samples at `mean` (exact: all equal to it) and keeps track of which centroids stay exact
   * points. The package merges into the centroid `find_nearest` returns; an equal mean is a tie and keeps
   * it exact, anything else spreads it.
   */
  #add(mean: number, n: number, exact: boolean, mayCompress = true): void {
    const nearest = this.#td.find_nearest(mean);
    const tie = nearest !== null && nearest.mean === mean;
    const size = this.#td.size();
    this.#td.push_centroid({ mean, n });
    if (this.#td.size() > size) {
      if (!exact) this.#spread.add(this.#td.find_nearest(mean)!);
    } else if (nearest !== null && (!tie || !exact)) {
      this.#spread.add(nearest);
    }
    if (mayCompress && this.#td.size() > this.#maxCentroids) this.#compress();
  }

  /** Fisher–Yates with xorshift32: deterministic, and good enough to break sorted runs. */
  #shuffle<T>(items: T[]): void {
    let s = this.#seed;
    for (let i = items.length - 1; i > 0; i--) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const j = (s >>> 0) % (i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    this.#seed = s;
  }
}

/**
 * Merges digests (instances or their JSON) into a new one, e.g. every instance's summary into one
 * fleet-wide P99. The compression is the largest of the inputs' (100 when there are none).
 *
 * @throws {TypeError} when one of them is invalid JSON (see {@link LatencyDigest.fromJSON}).
 * @example
 * ```ts
 * const fleet = mergeLatencyDigests(instances.map((i) => i.digestJson));
 * console.log(`fleet P99 ${fleet.quantile(0.99)} ms over ${fleet.count} calls`);
 * ```
 */
export function mergeLatencyDigests(digests: Iterable<LatencyDigest | LatencyDigestJSON>): LatencyDigest {
  const all = [...digests].map((d, i) => {
    try {
      return d instanceof LatencyDigest ? d.toJSON() : parseDigestJSON(d);
    } catch (error) {
      throw new TypeError(`mergeLatencyDigests: digest ${i}: ${(error as Error).message}`, { cause: error });
    }
  });
  const compression = all.reduce((max, d) => Math.max(max, d.compression), 0) || 100;
  const merged = new LatencyDigest({ compression });
  for (const d of all) merged.merge(d);
  return merged;
}

/** What {@link trackLatencyDigest} returns. */
export interface LatencyDigestTracker extends Disposable {
  /** The digest the breaker's latencies go into. */
  readonly digest: LatencyDigest;
  /**
   * Latencies that left the breaker's window (more than `windowSize` calls in one period, or a window reset
   * when the breaker closes) before a read reached them, so they are not in the digest. Counted, never lost
   * silently; when it grows, shorten `periodMs`.
   */
  readonly skipped: number;
  /** Reads the latencies recorded since the last read into the digest now (e.g. before publishing it). */
  flush(): void;
  /** Flushes once more, then clears the timer: nothing is pending afterwards. Idempotent. */
  dispose(): void;
}

/** Options of {@link trackLatencyDigest}. */
export interface TrackLatencyDigestOptions {
  /**
   * How often the breaker's window is read into the digest, in ms. Keep it under the time the breaker
   * takes to complete `windowSize` calls, or the oldest are skipped (see {@link LatencyDigestTracker.skipped}).
   * Defaults to 1 000.
   */
  readonly periodMs?: number;
  /** The timer's clock. Defaults to the real clock, whose timers are unref'd (they never keep a process alive). */
  readonly clock?: Clock;
  /** The digest to feed. Defaults to a new `LatencyDigest()`. */
  readonly digest?: LatencyDigest;
  /** Where a read that throws in the timer or in `dispose` is reported (the timer goes on). Defaults to the console logger. */
  readonly logger?: Logger;
}

/**
 * Feeds a breaker's completed-call latencies into a {@link LatencyDigest} by pulling them on a timer:
 * every `periodMs` (and on `flush()`) it reads `breaker.latenciesSince(cursor)` — the window's samples
 * recorded since the previous read — and pushes them into the digest in one batch. Nothing runs on the
 * call path: no subscription, no buffer, no per-call allocation; the whole cost (≈ 1 µs per sample) is
 * paid in the timer.
 *
 * The window holds the last `windowSize` calls, so with more than `windowSize` calls in one period the
 * oldest are skipped: they are counted in `tracker.skipped`, never dropped silently. A breaker that is
 * disposed can still be read: the tracker goes on until it is disposed itself.
 *
 * @throws {TypeError} when `periodMs` is not a finite number > 0, `clock` is not a clock, or `digest` is not
 *   a `LatencyDigest`.
 * @example
 * ```ts
 * const tracker = trackLatencyDigest(breaker, { periodMs: 1_000 });
 * setInterval(() => { tracker.flush(); publish(tracker.digest.toJSON()); }, 10_000);
 * // …
 * tracker.dispose();
 * ```
 */
export function trackLatencyDigest(
  breaker: Pick<CircuitBreaker, 'latenciesSince'>,
  options: TrackLatencyDigestOptions = {},
): LatencyDigestTracker {
  const periodMs = options.periodMs ?? 1_000;
  if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs <= 0) {
    throw new TypeError(`trackLatencyDigest: \`periodMs\` must be a finite number > 0, got ${String(periodMs)}`);
  }
  const clock = options.clock ?? realClock;
  if (typeof clock?.setTimeout !== 'function' || typeof clock.clearTimeout !== 'function') {
    throw new TypeError('trackLatencyDigest: `clock` must have setTimeout and clearTimeout');
  }
  const digest = options.digest ?? new LatencyDigest();
  if (!(digest instanceof LatencyDigest)) throw new TypeError('trackLatencyDigest: `digest` must be a LatencyDigest');
  if (typeof breaker?.latenciesSince !== 'function') throw new TypeError('trackLatencyDigest: `breaker` must have latenciesSince(cursor)');
  const logger = options.logger ?? consoleLogger;

  const cursor = new LatencyCursor(breaker);
  let skipped = 0;
  let disposed = false;

  const flush = (): void => {
    if (disposed) return;
    const read = cursor.read();
    skipped += read.evicted + read.invalid;
    digest.push(read.latenciesMs);
  };
  /** The timer's and dispose's read: a breaker that throws is logged, never thrown into a timer. */
  const safeFlush = (): void => {
    try {
      flush();
    } catch (error) {
      safeLog(logger, 'error', { err: error }, "trackLatencyDigest: reading the breaker's latencies failed");
    }
  };
  const stop = repeatEvery(clock, periodMs, safeFlush);

  const dispose = (): void => {
    if (disposed) return;
    stop();
    safeFlush();
    disposed = true;
  };
  return {
    digest,
    get skipped() {
      return skipped;
    },
    flush,
    dispose,
    [Symbol.dispose]: dispose,
  };
}

function parseDigestJSON(json: unknown): LatencyDigestJSON {
  const bad = (field: string, expected: string, got: unknown): never => {
    throw new TypeError(`LatencyDigest JSON: \`${field}\` must be ${expected}, got ${describe(got)}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('(root)', 'an object', json);
  const o = json as Record<string, unknown>;
  if (o.format !== FORMAT) bad('format', `"${FORMAT}"`, o.format);
  if (o.version !== 1) bad('version', '1', o.version);
  if (typeof o.compression !== 'number' || !Number.isFinite(o.compression) || o.compression < 20) {
    bad('compression', 'a finite number ≥ 20', o.compression);
  }
  if (!Array.isArray(o.centroids)) bad('centroids', 'an array of [meanMs, weight, exact] triples', o.centroids);
  const centroids = o.centroids as unknown[];
  let total = 0;
  for (let i = 0; i < centroids.length; i++) {
    const c = centroids[i];
    if (!Array.isArray(c) || c.length !== 3) bad(`centroids[${i}]`, 'a [meanMs, weight, exact] triple', c);
    const [mean, n, exact] = c as unknown[];
    if (typeof mean !== 'number' || !(mean >= 0) || mean === Infinity) bad(`centroids[${i}][0]`, 'a finite mean ≥ 0', mean);
    if (typeof n !== 'number' || !(n > 0) || n === Infinity) bad(`centroids[${i}][1]`, 'a finite weight > 0', n);
    if (exact !== 0 && exact !== 1) bad(`centroids[${i}][2]`, '0 or 1', exact);
    total += n as number;
  }
  if (typeof o.count !== 'number' || !(o.count >= 0) || Math.abs(o.count - total) > 1e-9 * Math.max(1, total)) {
    bad('count', `the sum of the centroid weights (${total})`, o.count);
  }
  const means = centroids as ReadonlyArray<readonly [number, number, 0 | 1]>;
  if (total === 0) {
    if (o.minMs !== null) bad('minMs', 'null for an empty digest', o.minMs);
    if (o.maxMs !== null) bad('maxMs', 'null for an empty digest', o.maxMs);
  } else {
    const lowest = Math.min(...means.map((c) => c[0]));
    const highest = Math.max(...means.map((c) => c[0]));
    if (typeof o.minMs !== 'number' || !(o.minMs >= 0) || o.minMs > lowest) bad('minMs', `a number in [0, ${lowest}]`, o.minMs);
    if (typeof o.maxMs !== 'number' || !(o.maxMs >= highest) || o.maxMs === Infinity) bad('maxMs', `a finite number ≥ ${highest}`, o.maxMs);
  }
  return o as unknown as LatencyDigestJSON;
}

function describe(value: unknown): string {
  if (typeof value === 'number' || value === undefined) return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  } catch {
    return String(value);
  }
}
