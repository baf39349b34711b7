import type { Observable } from 'rxjs';
import type { RecoveryCoordinator } from '../../machines/breakerMachine.js';
import type { BreakerState } from './BreakerState.js';
import type { BreakerStats } from './BreakerStats.js';
import type { BreakerSnapshot } from './BreakerSnapshot.js';
import type { StateChange } from './StateChange.js';
import type { TransitionReason } from './TransitionReason.js';

/** A completed call's sample as it flows through `samples$` into the window. */
export interface LatencySample {
  readonly latencyMs: number;
  readonly failed: boolean;
  /** Clock time the call settled. */
  readonly at: number;
}

/** The result of {@link CircuitBreaker.tryExecute}: a value, or a refusal (the call was never sent). */
export type TryResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: TransitionReason; readonly retryAfterMs: number | null };

/** Per-call options. */
export interface ExecuteOptions {
  /**
   * The caller's signal, passed to the operation. When it aborts, the call releases its half-open permit
   * and its outcome counts as neither success nor failure. The breaker never aborts the operation itself.
   */
  readonly signal?: AbortSignal | undefined;
}

/** Who used a manual control and why: both go to the log and the state change. */
export interface ManualControl {
  readonly by: string;
  readonly why: string;
}

/**
 * A latency-aware circuit breaker: it measures every call, opens when P99, a failure streak or the error
 * rate says the node is degraded, refuses calls while open, and recovers on its own.
 *
 * @example
 * ```ts
 * const breaker = createCircuitBreaker({ name: 'venue-rpc' });
 * const fill = await breaker.execute(() => venue.placeOrder(order));
 * breaker.dispose();
 * ```
 */
export interface CircuitBreaker extends Disposable {
  /** The breaker's name. */
  readonly name: string;
  /** The current state, read in a few ns. */
  readonly state: BreakerState;
  /**
   * Runs `operation` unless the circuit refuses it. Resolves or rejects with the operation's own result,
   * untouched.
   *
   * @throws {@link CircuitOpenError} (as a rejection) when refused: the operation was never invoked.
   */
  execute<T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>, options?: ExecuteOptions): Promise<T>;
  /**
   * Like {@link CircuitBreaker.execute}, but a refusal is returned as `{ ok: false, … }` instead of thrown,
   * for hot loops; the operation's own error still rejects.
   */
  tryExecute<T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>, options?: ExecuteOptions): Promise<TryResult<T>>;
  /**
   * Runs `operation` whatever the state — for calls that must always go out, like a cancel (it is how you
   * get out of risk). In closed or disabled it is measured and judged like any call; otherwise it is sent
   * anyway and counted in `stats().counts`, but never drives a transition.
   */
  executeUnguarded<T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>): Promise<T>;
  /** Listens to transitions; returns the unsubscribe function. A listener that throws is logged, nothing else. */
  onStateChange(listener: (change: StateChange) => void): () => void;
  /** Transitions as an RxJS observable (completes on dispose). */
  readonly stateChanges$: Observable<StateChange>;
  /** Every completed call's latency sample, as fed into the window (completes on dispose). */
  readonly samples$: Observable<LatencySample>;
  /**
   * The latencies of calls completed after `cursor` (0 at first, then the `cursor` returned), still in the
   * window: for feeding long-horizon summaries (t-digests) on a timer, off the call path. `skipped` counts
   * samples that left the window before being read.
   */
  latenciesSince(cursor: number): { readonly latenciesMs: number[]; readonly cursor: number; readonly skipped: number };
  /** A point-in-time view: state, exact P99, counts. */
  stats(): BreakerStats;
  /** Kill switch: open until {@link CircuitBreaker.forceClose} or {@link CircuitBreaker.reset}; no automatic recovery. */
  forceOpen(control?: Partial<ManualControl>): void;
  /** Closes now, whatever the state, with a fresh window. */
  forceClose(control?: Partial<ManualControl>): void;
  /** Shadow mode: every call goes through and is measured; nothing trips. Leave with `reset` or `forceClose`. */
  disable(control?: Partial<ManualControl>): void;
  /** Back to closed with a fresh window, failure streak and backoff. */
  reset(control?: Partial<ManualControl>): void;
  /** A JSON-serializable, versioned snapshot to resume from after a restart (`restore` option). */
  snapshot(): BreakerSnapshot;
  /**
   * Joins a fleet: recovery then waits for `coordinator` to grant the lease. Pass `undefined` to leave.
   * Used by the fleet integration; not needed on a single process.
   */
  setRecoveryCoordinator(coordinator: RecoveryCoordinator | undefined): void;
  /** Applies a transition another instance of the fleet reported. */
  applyFleetState(update: FleetUpdate): void;
  /** Stops timers and subscriptions; later calls are refused. Idempotent. */
  dispose(): void;
}

/** A state another instance of the fleet reported. */
export type FleetUpdate =
  | { readonly to: 'open'; readonly until: number; readonly instance: string; readonly cause: TransitionReason | null }
  | { readonly to: 'closed'; readonly instance: string };
