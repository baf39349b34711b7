import type { Redis } from 'ioredis';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import type { Clock } from '../Clock.js';
import type { Logger } from '../Logger.js';

/**
 * What the fleet needs from a registry: its breakers now and the ones created later. `BreakerRegistry`
 * fits.
 *
 * @example
 * ```ts
 * const registry: FleetRegistry = new BreakerRegistry({ latencyThresholdMs: 150 });
 * ```
 */
export interface FleetRegistry {
  list(): CircuitBreaker[];
  onBreakerCreated(listener: (breaker: CircuitBreaker) => void): () => void;
}

/**
 * When one instance's trip opens the fleet: `'follow'` (the default) — at once; `{ quorum: q }` — only
 * once at least `q` live instances report that breaker open.
 *
 * @example
 * ```ts
 * const policy: FleetPolicy = { quorum: 2 };
 * ```
 */
export type FleetPolicy = 'follow' | { readonly quorum: number };

/**
 * Options of {@link connectFleet}.
 *
 * @example
 * ```ts
 * const options: FleetOptions = { redis: new Redis(process.env.REDIS_URL!), fleet: 'order-router', policy: { quorum: 2 } };
 * ```
 */
export interface FleetOptions {
  /** An ioredis client for commands; the fleet duplicates it for its subscriber. It is not closed by `close()`. */
  readonly redis: Redis;
  /** The fleet's name: instances with the same name share state; keys and channel are scoped by it. */
  readonly fleet: string;
  /** This instance's id in messages and leases. Defaults to `${hostname}:${pid}:${random}`. */
  readonly instance?: string;
  /** Defaults to `'follow'`. */
  readonly policy?: FleetPolicy;
  /** How long a recovery lease lasts without renewal (a dead holder frees it after this). Defaults to 5 000. */
  readonly leaseMs?: number;
  /** How long a non-holder stands by before asking for the lease again. Defaults to `leaseMs / 10`, at least 50. */
  readonly standByMs?: number;
  /** A lease claim slower than this is granted locally (Redis must never keep a breaker open). Defaults to 250. */
  readonly claimTimeoutMs?: number;
  /**
   * How often this instance pushes its latency digests for {@link Fleet.latency}; 0 turns latency sharing
   * off. Sharing adds no work to the call path: a timer reads each breaker's window into a t-digest every
   * `min(digestPeriodMs, 1 000)` ms (latencies that left the window first are counted in
   * `stats().latencySkipped`). Defaults to 5 000.
   */
  readonly digestPeriodMs?: number;
  /** How long `connectFleet` waits for Redis before resolving in local mode (it keeps trying). Defaults to 2 000. */
  readonly connectTimeoutMs?: number;
  /** Timers of the fleet (leases, digests). Defaults to the real clock, whose timers are unref'd. */
  readonly clock?: Clock;
  /** Defaults to the console logger (warnings and errors only). */
  readonly logger?: Logger;
}

/**
 * Counters of a fleet connection, for metrics and tests.
 *
 * @example
 * ```ts
 * const { ignored, redisErrors } = fleet.stats();
 * ```
 */
export interface FleetStats {
  readonly instance: string;
  /** Both Redis connections (commands and subscriber) are ready. */
  readonly connected: boolean;
  /** Fleet messages this instance published (trips that opened the fleet, recovery verdicts). */
  readonly published: number;
  /** Trip reports sent (in quorum mode most of them open nothing by themselves). */
  readonly reported: number;
  /** Valid messages from other instances, applied to the local breakers. */
  readonly received: number;
  /** Messages ignored: not JSON or not a fleet message, another fleet's, or not newer than the state known. */
  readonly ignored: { readonly malformed: number; readonly otherFleet: number; readonly stale: number };
  /** Failed or timed-out Redis commands and connection errors. */
  readonly redisErrors: number;
  /** Times the connection to Redis was lost (each logged once). */
  readonly connectionLosses: number;
  /** Recovery leases: won, refused (another instance recovers), granted locally because Redis was unreachable. */
  readonly leases: { readonly acquired: number; readonly denied: number; readonly localGrants: number };
  /** Breakers taking part. */
  readonly breakers: number;
  /**
   * Latencies that left a breaker's window (more than `windowSize` calls between two reads, or a window
   * reset on close) before the fleet's latency digest read them: missing from {@link Fleet.latency}.
   */
  readonly latencySkipped: number;
}

/**
 * Fleet-wide latency quantiles of one breaker, from every live instance's t-digest merged.
 *
 * @example
 * ```ts
 * const { p99, count } = await fleet.latency('binance');
 * ```
 */
export interface FleetLatency {
  readonly p50: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  /** Samples summarized, fleet-wide. */
  readonly count: number;
  /** Instances whose digest was merged (this one included). */
  readonly instances: number;
  /** False when Redis could not be read: the numbers are this instance's only. */
  readonly complete: boolean;
}

/**
 * A registry's breakers joined to a fleet through Redis: trips travel, one instance recovers for all,
 * restarts come back open, latency merges fleet-wide. Nothing touches Redis on the call path.
 *
 * @example
 * ```ts
 * const fleet = await connectFleet(registry, { redis, fleet: 'order-router' });
 * console.log(fleet.stats(), await fleet.latency('binance'));
 * await fleet.close();
 * ```
 */
export interface Fleet extends AsyncDisposable {
  readonly instance: string;
  /** Fleet-wide P50/P99/P99.9 of a breaker. Never rejects: without Redis it answers with local numbers. */
  latency(breaker: string): Promise<FleetLatency>;
  /** Pushes this instance's latency digests now (they are also pushed every `digestPeriodMs`). */
  pushLatency(): Promise<void>;
  stats(): FleetStats;
  /**
   * Leaves the fleet: breakers go back to local recovery, held leases are released, timers cleared, the
   * subscriber disconnected. The caller's Redis client stays open. Idempotent.
   */
  close(): Promise<void>;
}
