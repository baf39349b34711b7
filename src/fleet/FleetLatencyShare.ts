import type { Redis } from 'ioredis';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import type { Clock } from '../Clock.js';
import type { Logger } from '../Logger.js';
import { LatencyDigest, mergeLatencyDigests, trackLatencyDigest, type LatencyDigestTracker } from '../metrics/LatencyDigest.js';
import { repeatEvery } from '../repeatEvery.js';
import type { FleetLatency } from './Fleet.js';
import type { FleetKeys } from './fleetKeys.js';

/** The longest interval between two reads of a breaker's window into its digest. */
const READ_PERIOD_MS = 1_000;

/**
 * What {@link FleetLatencyShare} needs from its fleet connection.
 *
 * @example
 * ```ts
 * const deps: FleetLatencyShareDeps = { redis, keys, instance, periodMs: 5000, clock, logger, isReady, command, onRedisError, onMalformed };
 * ```
 */
export interface FleetLatencyShareDeps {
  readonly redis: Redis;
  readonly keys: FleetKeys;
  readonly instance: string;
  /** Push period; 0 turns sharing off (no tracking, no timers). */
  readonly periodMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  isReady(): boolean;
  /** Bounds a Redis command in time. */
  command<T>(promise: Promise<T>): Promise<T>;
  onRedisError(error: unknown): void;
  onMalformed(): void;
}

/**
 * Fleet-wide latency: every breaker's window is read into a t-digest on a timer ({@link trackLatencyDigest},
 * every `min(periodMs, 1 000)` ms: no per-call work), pushed to Redis every `periodMs` with a TTL of three
 * periods (a dead instance drops out); {@link FleetLatencyShare.read} merges this instance's digest with
 * every live instance's.
 *
 * @example
 * ```ts
 * const share = new FleetLatencyShare({ redis, keys, instance, periodMs: 5000, clock, logger, isReady, command, onRedisError, onMalformed });
 * share.start();
 * share.track(breaker);
 * const { p99 } = await share.read(breaker.name);
 * share.close();
 * ```
 */
export class FleetLatencyShare {
  readonly #d: FleetLatencyShareDeps;
  readonly #trackers = new Map<string, LatencyDigestTracker>();
  #stopPushing: (() => void) | undefined;
  #closed = false;
  /** Skipped latencies of trackers already disposed (untracked breakers). */
  #skippedBefore = 0;

  constructor(deps: FleetLatencyShareDeps) {
    this.#d = deps;
  }

  /** Starts the periodic push (when `periodMs` > 0). */
  start(): void {
    if (this.#stopPushing !== undefined || this.#d.periodMs <= 0 || this.#closed) return;
    this.#stopPushing = repeatEvery(this.#d.clock, this.#d.periodMs, () => void this.push());
  }

  track(breaker: CircuitBreaker): void {
    if (this.#d.periodMs <= 0 || this.#closed || this.#trackers.has(breaker.name)) return;
    // Read the window at least every second, so that up to `windowSize` calls a second reach the digest
    // even when the push period is longer.
    const periodMs = Math.min(this.#d.periodMs, READ_PERIOD_MS);
    this.#trackers.set(breaker.name, trackLatencyDigest(breaker, { periodMs, clock: this.#d.clock, logger: this.#d.logger }));
  }

  untrack(breaker: string): void {
    const tracker = this.#trackers.get(breaker);
    if (tracker === undefined) return;
    tracker.dispose();
    this.#skippedBefore += tracker.skipped;
    this.#trackers.delete(breaker);
  }

  /** Latencies that left a breaker's window before the digest read them (see {@link LatencyDigestTracker.skipped}). */
  get skipped(): number {
    let total = this.#skippedBefore;
    for (const tracker of this.#trackers.values()) total += tracker.skipped;
    return total;
  }

  /** Pushes every tracked digest now. Never rejects. */
  async push(): Promise<void> {
    const d = this.#d;
    if (!d.isReady() || this.#trackers.size === 0) return;
    const ttlMs = Math.max(3 * d.periodMs, 1_000);
    const pipeline = d.redis.pipeline();
    for (const [name, tracker] of this.#trackers) {
      tracker.flush();
      pipeline
        .set(d.keys.digest(name, d.instance), JSON.stringify(tracker.digest.toJSON()), 'PX', ttlMs)
        .sadd(d.keys.digests(name), d.instance)
        .pexpire(d.keys.digests(name), ttlMs);
    }
    try {
      await d.command(pipeline.exec());
    } catch (error) {
      d.onRedisError(error);
    }
  }

  /** The fleet's quantiles of `breaker`. Never rejects: without Redis, this instance's own. */
  async read(breaker: string): Promise<FleetLatency> {
    const d = this.#d;
    const tracker = this.#trackers.get(breaker);
    tracker?.flush();
    const local = tracker === undefined ? [] : [tracker.digest];
    if (!d.isReady()) return summarize(local, false);
    try {
      const instances = (await d.command(d.redis.smembers(d.keys.digests(breaker)))).filter((i) => i !== d.instance);
      const raws = instances.length === 0 ? [] : await d.command(d.redis.mget(instances.map((i) => d.keys.digest(breaker, i))));
      const others: LatencyDigest[] = [];
      for (const raw of raws) {
        if (raw === null) continue; // that instance stopped pushing: its digest expired
        try {
          others.push(LatencyDigest.fromJSON(JSON.parse(raw)));
        } catch {
          d.onMalformed();
        }
      }
      return summarize([...local, ...others], true);
    } catch (error) {
      d.onRedisError(error);
      return summarize(local, false);
    }
  }

  /** Stops the push timer and the trackers. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#stopPushing?.();
    this.#stopPushing = undefined;
    for (const name of [...this.#trackers.keys()]) this.untrack(name);
  }
}

function summarize(digests: readonly LatencyDigest[], complete: boolean): FleetLatency {
  const merged = mergeLatencyDigests(digests);
  return {
    p50: merged.quantile(0.5),
    p99: merged.quantile(0.99),
    p999: merged.quantile(0.999),
    count: merged.count,
    instances: digests.length,
    complete,
  };
}
