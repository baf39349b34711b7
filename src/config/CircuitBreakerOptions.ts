import type { InspectionEvent, Observer } from 'xstate';
import type { Clock } from '../Clock.js';
import type { Logger } from '../Logger.js';
import type { PersistOption } from '../persistence/resolveStateStore.js';
import type { StateStore } from '../persistence/StateStore.js';

/**
 * Options of `createCircuitBreaker`. Every option is optional; the defaults are the product spec's.
 *
 * @example
 * ```ts
 * const options: CircuitBreakerOptions = {
 *   name: 'venue-rpc',
 *   latencyThresholdMs: 150,
 *   recovery: { maxDelayMs: 60_000 },
 *   healthCheck: async (signal) => (await fetch('http://127.0.0.1:8545/health', { signal })).ok,
 * };
 * ```
 */
export interface CircuitBreakerOptions {
  /** A name for logs, metrics and errors. Defaults to `'breaker'`. */
  readonly name?: string | undefined;
  /** Consecutive failures that open the circuit. Defaults to 5. */
  readonly failureThreshold?: number | undefined;
  /** P99 limit in ms; opens when the window's P99 is strictly greater (`Infinity` turns the rule off). Defaults to 200. */
  readonly latencyThresholdMs?: number | undefined;
  /** Opens when failures / samples in the window is ≥ this, in [0, 1]. Defaults to 0.5. */
  readonly errorRateThreshold?: number | undefined;
  /** Rolling count window: the last N completed calls. Defaults to 1000. */
  readonly windowSize?: number | undefined;
  /** The P99 and error-rate rules apply once the window holds this many samples (0: always). Defaults to 100, or windowSize if smaller. */
  readonly minimumSamples?: number | undefined;
  /** Time open before the first recovery attempt, in ms. Defaults to 30 000. */
  readonly recoveryTimeoutMs?: number | undefined;
  /** Probe calls admitted at once in half-open; more are refused, never queued. Defaults to 3. */
  readonly halfOpenRequests?: number | undefined;
  /**
   * Time in ms after the first half-open probe is admitted by which one probe must have succeeded;
   * otherwise the probe counts as failed and the circuit reopens. Defaults to 10 000.
   */
  readonly halfOpenTimeoutMs?: number | undefined;
  /** The backoff schedule between recovery attempts. */
  readonly recovery?: RecoveryOptions | undefined;
  /** Asked before half-open; healthy when it resolves to anything but `false`. Defaults to none. */
  readonly healthCheck?: ((signal: AbortSignal) => unknown) | { check(signal: AbortSignal): unknown } | undefined;
  /** A slower health check counts as unhealthy and its signal is aborted. Defaults to 5 000. */
  readonly healthCheckTimeoutMs?: number | undefined;
  /**
   * Which errors count as failures. Errors it rejects (a venue's business rejection) are rethrown and
   * counted in the window as successes: the node answered. Defaults to every error.
   */
  readonly isFailure?: ((error: any) => boolean) | undefined;
  /** Time source for latency and delays. Defaults to the real clock. XState's `SimulatedClock` qualifies. */
  readonly clock?: Clock | undefined;
  /** `() => number` in [0, 1) for jitter only. Defaults to `Math.random`. */
  readonly random?: (() => number) | undefined;
  /** A pino-style logger. Defaults to one that writes warnings and errors to the console. */
  readonly logger?: Logger | undefined;
  /**
   * An XState inspector passed to the actor: `inspector.inspect` from `@statelyai/inspect` (or the
   * inspector object itself), `connectInspector(url).inspect`, or any function or observer of inspection
   * events. Defaults to none.
   */
  readonly inspect?: ((event: InspectionEvent) => void) | Observer<InspectionEvent> | { readonly inspect: unknown } | undefined;
  /** A snapshot from `breaker.snapshot()` to resume from. */
  readonly restore?: unknown;
  /**
   * Restart safety: `{ file: 'breaker-state.json' }` (atomic writes, fsync) or `{ store }` (any
   * synchronous {@link StateStore}). The state is read at creation (unless `restore` is given) and written
   * on every state change. Defaults to none.
   */
  readonly persist?: PersistOption | undefined;
}

/**
 * The backoff schedule. `delay(k) = clamp(recoveryTimeoutMs · multiplier^k · (1 ± jitterFactor), baseDelayMs, maxDelayMs)`.
 *
 * @example
 * ```ts
 * const recovery: RecoveryOptions = { baseDelayMs: 500, maxDelayMs: 120_000, multiplier: 3, jitterFactor: 0.2 };
 * ```
 */
export interface RecoveryOptions {
  /** The shortest any backoff delay may be, in ms. Defaults to 1 000. */
  readonly baseDelayMs?: number | undefined;
  /** The longest any backoff delay may be, in ms. Defaults to 300 000. */
  readonly maxDelayMs?: number | undefined;
  /** Growth per failed recovery attempt. Defaults to 2. */
  readonly multiplier?: number | undefined;
  /** ± share of random spread, in [0, 1]. Defaults to 0.1. */
  readonly jitterFactor?: number | undefined;
}
