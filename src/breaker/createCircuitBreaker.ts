import type { Observable } from 'rxjs';
import { createActor, type Actor, type SnapshotFrom } from 'xstate';
import { createBreakerMachine, type BreakerEvent, type BreakerMachine, type RecoveryCoordinator } from '../../machines/breakerMachine.js';
import type { CircuitBreakerOptions } from '../config/CircuitBreakerOptions.js';
import { resolveOptions, type ResolvedOptions } from '../config/resolveOptions.js';
import { CircuitOpenError } from '../errors/CircuitOpenError.js';
import { safeLog } from '../Logger.js';
import { attachStateStore } from '../persistence/attachStateStore.js';
import { InFlightTracker } from '../window/InFlightTracker.js';
import { LatencyWindow } from '../window/LatencyWindow.js';
import { tripRuleHolds } from '../window/tripRules.js';
import { publicStateOf, type BreakerState } from './BreakerState.js';
import type { BreakerStats } from './BreakerStats.js';
import type { BreakerSnapshot } from './BreakerSnapshot.js';
import { CallTally } from './CallTally.js';
import { HalfOpenProbes } from './HalfOpenProbes.js';
import type { CircuitBreaker, ExecuteOptions, FleetUpdate, LatencySample, ManualControl, TryResult } from './CircuitBreaker.js';
import { machineEnvironment } from './machineEnvironment.js';
import { checkControl, UNSPECIFIED_CONTROL } from './manualControl.js';
import { restoreSnapshot } from './restoreSnapshot.js';
import { SampleStream } from './SampleStream.js';
import type { StateChange } from './StateChange.js';
import { StateChangeNotifier } from './StateChangeNotifier.js';
import { takeSnapshot } from './takeSnapshot.js';
import type { TransitionReason } from './TransitionReason.js';
import { withHidden } from './withHidden.js';

/**
 * Creates a circuit breaker. Every option has the product spec's default.
 *
 * @throws {@link ConfigError} when an option is invalid or unknown (every problem listed at once), or
 *   when `restore` is not a valid snapshot.
 * @example
 * ```ts
 * import { createCircuitBreaker, isCircuitOpenError } from 'p99-breaker';
 *
 * const breaker = createCircuitBreaker({ name: 'venue-rpc' });
 * try {
 *   const fill = await breaker.execute(() => venue.placeOrder(order));
 * } catch (e) {
 *   if (isCircuitOpenError(e)) log.warn(`paused, retry in ${e.retryAfterMs} ms (${e.reason.trigger})`);
 *   else throw e;
 * }
 * ```
 */
export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const resolved = resolveOptions(options);
  const store = resolved.stateStore;
  if (store === undefined) return new Breaker(resolved);
  const restore = resolved.restore ?? store.load(resolved.name);
  const breaker = new Breaker({ ...resolved, restore });
  attachStateStore(breaker, store, resolved.logger); // listeners are dropped on dispose
  return breaker;
}

// Admission modes, read on every call: a small integer compare is the cheapest state check.
const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
const DISABLED = 3;
const DISPOSED = 4;

const MODE_OF: Record<BreakerState, number> = { closed: CLOSED, open: OPEN, halfOpen: HALF_OPEN, disabled: DISABLED };

class Breaker implements CircuitBreaker {
  readonly name: string;
  readonly stateChanges$: Observable<StateChange>;
  readonly samples$: Observable<LatencySample>;

  readonly #options: ResolvedOptions;
  readonly #clock: ResolvedOptions['clock'];
  readonly #window: LatencyWindow;
  readonly #inFlight: InFlightTracker;
  readonly #samples: SampleStream;
  readonly #notifier: StateChangeNotifier;
  readonly #tally: CallTally;
  readonly #actor: Actor<BreakerMachine>;
  #coordinator: RecoveryCoordinator | undefined;

  #mode = CLOSED;
  #state: BreakerState = 'closed';
  /** Bumped on every state change; a result admitted under an older epoch is stale. */
  #epoch = 0;
  #reason: TransitionReason = { trigger: 'created' };
  #attempt = 0;
  #nextAttemptAt: number | null = null;
  readonly #probes: HalfOpenProbes;
  #lastInFlightSlowSent = 0;
  #clockWarned = false;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.name = options.name;
    this.#clock = options.clock;
    this.#window = new LatencyWindow(options.windowSize, options.latencyThresholdMs);
    this.#inFlight = new InFlightTracker(options.latencyThresholdMs);
    this.#tally = new CallTally(options.latencyThresholdMs);
    this.#probes = new HalfOpenProbes(options.halfOpenRequests, {
      started: (at) => this.#send({ type: 'PROBE_ADMITTED', at }),
      abandoned: (at) => this.#send({ type: 'PROBES_ABANDONED', at }),
    });
    this.#notifier = new StateChangeNotifier(options.name, options.logger);
    this.#samples = new SampleStream(this.#window, () => this.#now(), options.logger, options.name);
    this.stateChanges$ = this.#notifier.changes$;
    this.samples$ = this.#samples.samples$;
    const window = this.#window;
    const environment = machineEnvironment(options, window, this.#inFlight, () => this.#now(), () => this.#coordinator);
    const machine = createBreakerMachine(environment);
    const restored = options.restore === undefined ? undefined : restoreSnapshot(options.restore, machine, options.name);
    if (restored !== undefined) {
      for (let i = 0; i < restored.window.latenciesMs.length; i++) {
        window.record(restored.window.latenciesMs[i]!, restored.window.failed[i]!);
      }
      window.restoreStreak(restored.window.consecutiveFailures);
    }
    this.#actor = createActor(machine, {
      clock: options.clock,
      input: {},
      ...(restored === undefined ? {} : { snapshot: restored.machine }),
      ...(options.inspect === undefined ? {} : { inspect: options.inspect as never }),
    });
    this.#syncFromSnapshot(this.#actor.getSnapshot(), false);
    this.#actor.subscribe({
      next: (snapshot) => this.#syncFromSnapshot(snapshot, true),
      error: (error) => {
        // Guards and actions are total, so this should never happen; if it does, fail safe: refuse calls.
        safeLog(this.#options.logger, 'error', { breaker: this.name, err: error }, 'circuit breaker machine failed; refusing calls');
        this.#mode = OPEN;
      },
    });
    this.#actor.start();
    if (restored !== undefined) this.#send({ type: 'RESUME', at: this.#now() });
  }

  get state(): BreakerState {
    return this.#state;
  }

  // ---------------------------------------------------------------- the call path

  async execute<T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>, options?: ExecuteOptions): Promise<T> {
    if (typeof operation !== 'function') throw notAnOperation('execute', operation);
    if (this.#mode === OPEN || this.#mode === DISPOSED) {
      this.#tally.rejected++;
      throw new CircuitOpenError(this.name, this.#state, this.#reason, this.#retryAfterMs());
    }
    if (this.#mode !== CLOSED || options !== undefined) return this.#executeGuarded(operation, options, true) as Promise<T>;
    const startedAt = this.#clock.now();
    if (this.#inFlight.outstanding !== 0 && this.#checkInFlight(startedAt)) {
      return this.#executeGuarded(operation, options, true) as Promise<T>;
    }
    const epoch = this.#epoch;
    const id = this.#inFlight.start(startedAt);
    let value: T;
    try {
      value = await operation();
    } catch (error) {
      this.#settleMeasured(id, epoch, startedAt, error, true);
      throw error;
    }
    this.#settleMeasured(id, epoch, startedAt, undefined, false);
    return value;
  }

  async tryExecute<T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>, options?: ExecuteOptions): Promise<TryResult<T>> {
    if (typeof operation !== 'function') throw notAnOperation('tryExecute', operation);
    if (this.#mode === OPEN || this.#mode === DISPOSED) {
      this.#tally.rejected++;
      return { ok: false, reason: this.#reason, retryAfterMs: this.#retryAfterMs() };
    }
    if (this.#mode !== CLOSED || options !== undefined) return this.#executeGuarded(operation, options, false) as Promise<TryResult<T>>;
    // The closed fast path is written out again rather than shared with execute(): sharing it costs one more
    // async frame (≈ 40 ns) on every call of one of the two.
    const startedAt = this.#clock.now();
    if (this.#inFlight.outstanding !== 0 && this.#checkInFlight(startedAt)) {
      return this.#executeGuarded(operation, options, false) as Promise<TryResult<T>>;
    }
    const epoch = this.#epoch;
    const id = this.#inFlight.start(startedAt);
    let value: T;
    try {
      value = await operation();
    } catch (error) {
      this.#settleMeasured(id, epoch, startedAt, error, true);
      throw error;
    }
    this.#settleMeasured(id, epoch, startedAt, undefined, false);
    return { ok: true, value };
  }

  async executeUnguarded<T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>): Promise<T> {
    if (typeof operation !== 'function') throw notAnOperation('executeUnguarded', operation);
    if (this.#mode === CLOSED || this.#mode === DISABLED) return this.#executeGuarded(operation, undefined, true) as Promise<T>;
    // Not admitted by the circuit: sent anyway (a cancel must always get out of risk), counted, not judged.
    const startedAt = this.#clock.now();
    try {
      const value = await operation();
      this.#tally.completed(this.#latencyOf(startedAt, this.#clock.now()), false, false);
      return value;
    } catch (error) {
      this.#tally.completed(this.#latencyOf(startedAt, this.#clock.now()), true, this.#countsAsFailure(error));
      throw error;
    }
  }

  /** Every path but the closed fast path: refusals, half-open probes, disabled, signals. */
  async #executeGuarded<T>(
    operation: (signal?: AbortSignal) => T | PromiseLike<T>,
    options: ExecuteOptions | undefined,
    throwOnRefusal: boolean,
  ): Promise<T | TryResult<T>> {
    const refuse = (): T | TryResult<T> => {
      this.#tally.rejected++;
      const retryAfterMs = this.#retryAfterMs();
      if (throwOnRefusal) throw new CircuitOpenError(this.name, this.#state, this.#reason, retryAfterMs);
      return { ok: false, reason: this.#reason, retryAfterMs };
    };
    const wrap = (value: T): T | TryResult<T> => (throwOnRefusal ? value : { ok: true, value });
    const signal = options?.signal;
    if (signal?.aborted) {
      this.#tally.aborted++;
      throw signal.reason;
    }
    const startedAt = this.#clock.now();
    if (this.#mode === CLOSED && this.#inFlight.outstanding !== 0) this.#checkInFlight(startedAt);
    const mode = this.#mode;
    if (mode === OPEN || mode === DISPOSED) return refuse();
    const epoch = this.#epoch;

    if (mode === HALF_OPEN) {
      if (!this.#probes.tryAdmit(startedAt)) return refuse();
      let released = false;
      const release = (abandoned: boolean): boolean => {
        if (released) return false;
        released = true;
        // A permit of an earlier episode died with it.
        if (epoch === this.#epoch) this.#probes.release(abandoned, this.#now());
        return true;
      };
      const onAbort = (): void => {
        if (release(true)) this.#tally.aborted++;
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const value = await operation(signal);
        signal?.removeEventListener('abort', onAbort);
        if (release(false)) this.#settleProbe(epoch, startedAt, undefined, false);
        return wrap(value);
      } catch (error) {
        signal?.removeEventListener('abort', onAbort);
        if (release(false)) this.#settleProbe(epoch, startedAt, error, true);
        throw error;
      }
    }

    // closed (with a signal) or disabled: measured like the fast path
    const id = this.#inFlight.start(startedAt);
    let abandoned = false;
    const onAbort = (): void => {
      if (abandoned) return;
      abandoned = true;
      this.#tally.aborted++;
      this.#inFlight.settle(id);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const value = await operation(signal);
      signal?.removeEventListener('abort', onAbort);
      if (!abandoned) this.#settleMeasured(id, epoch, startedAt, undefined, false);
      return wrap(value);
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      if (!abandoned) this.#settleMeasured(id, epoch, startedAt, error, true);
      throw error;
    }
  }

  /** Records a closed/disabled call's outcome; sends the machine an event only when a trip rule holds. */
  #settleMeasured(id: number, epoch: number, startedAt: number, error: unknown, threw: boolean): void {
    const settledAt = this.#clock.now();
    this.#inFlight.settle(id);
    const latencyMs = this.#latencyOf(startedAt, settledAt);
    const failed = threw && this.#countsAsFailure(error);
    this.#tally.completed(latencyMs, threw, failed);
    if (epoch !== this.#epoch || this.#mode === DISPOSED) return; // stale: counted, never drives a transition
    this.#samples.push(latencyMs, failed);
    if (this.#mode !== CLOSED) return;
    const inFlightSlow = this.#inFlight.outstanding === 0 ? 0 : this.#inFlight.countOverdue(settledAt);
    if (tripRuleHolds(this.#window, this.#options, inFlightSlow)) this.#send({ type: 'WINDOW_UPDATED', at: settledAt, inFlightSlow });
  }

  #settleProbe(epoch: number, startedAt: number, error: unknown, threw: boolean): void {
    const settledAt = this.#clock.now();
    const latencyMs = this.#latencyOf(startedAt, settledAt);
    const failed = threw && this.#countsAsFailure(error);
    this.#tally.completed(latencyMs, threw, failed);
    if (epoch !== this.#epoch || this.#mode !== HALF_OPEN) return;
    this.#send({ type: 'PROBE_SETTLED', at: settledAt, ok: !failed, latencyMs });
  }

  /** On admission in closed: outstanding calls older than the threshold count as slow. True if it tripped. */
  #checkInFlight(now: number): boolean {
    const inFlightSlow = this.#inFlight.countOverdue(now);
    if (inFlightSlow === 0 || inFlightSlow === this.#lastInFlightSlowSent) return false;
    if (!tripRuleHolds(this.#window, this.#options, inFlightSlow)) return false;
    this.#lastInFlightSlowSent = inFlightSlow;
    this.#send({ type: 'WINDOW_UPDATED', at: now, inFlightSlow });
    return this.#mode !== CLOSED;
  }

  #countsAsFailure(error: unknown): boolean {
    try {
      return this.#options.isFailure(error) !== false;
    } catch (predicateError) {
      safeLog(this.#options.logger, 'error', { breaker: this.name, err: predicateError }, 'isFailure threw; counting the error as a failure');
      return true;
    }
  }

  /** A latency from the injected clock; a clock that goes backwards or returns NaN is reported once. */
  #latencyOf(startedAt: number, settledAt: number): number {
    const latency = settledAt - startedAt;
    if (latency >= 0 && latency !== Infinity) return latency;
    if (!this.#clockWarned) {
      this.#clockWarned = true;
      safeLog(this.#options.logger, 'warn', { breaker: this.name, startedAt, settledAt }, 'clock went backwards or returned a non-finite time; latency recorded as 0 ms');
    }
    return 0;
  }

  #now(): number {
    const now = this.#clock.now();
    return Number.isFinite(now) ? now : 0;
  }

  #retryAfterMs(): number | null {
    if (this.#nextAttemptAt === null) return this.#mode === HALF_OPEN ? 0 : null;
    return Math.max(0, this.#nextAttemptAt - this.#now());
  }

  // ---------------------------------------------------------------- machine and listeners

  #send(event: BreakerEvent): void {
    if (this.#mode === DISPOSED) return;
    this.#actor.send(event);
  }

  #syncFromSnapshot(snapshot: SnapshotFrom<BreakerMachine>, notify: boolean): void {
    if (this.#mode === DISPOSED) return;
    const top = typeof snapshot.value === 'string' ? snapshot.value : Object.keys(snapshot.value)[0]!;
    const to = publicStateOf(top);
    const { reason, attempt, nextAttemptAt } = snapshot.context;
    const from = this.#state;
    const replanned = to === 'open' && from === 'open' && nextAttemptAt !== this.#nextAttemptAt;
    // A manual forceClose/reset of a closed breaker is a restart: fresh window, and an audit entry.
    // A repeated manual control (forceOpen twice, a reset while closed) is audited as a change of its own.
    const restarted = to === from && reason !== this.#reason && reason.trigger === 'manual';
    if (to === from && !replanned && !restarted && reason === this.#reason) return;
    this.#reason = reason;
    this.#attempt = attempt;
    this.#nextAttemptAt = nextAttemptAt;
    if (to === from && !replanned && !restarted) return;
    this.#epoch++;
    this.#state = to;
    this.#mode = MODE_OF[to];
    this.#probes.reset();
    this.#lastInFlightSlowSent = 0;
    if (to === 'closed' || (to === 'disabled' && from !== 'closed' && from !== 'disabled')) {
      this.#window.reset();
      this.#inFlight.clear();
    }
    if (!notify) return;
    this.#notifier.notify(withHidden({ from, to, reason, at: this.#now(), attempt, nextAttemptAt }, { breaker: this.name }));
  }

  onStateChange(listener: (change: StateChange) => void): () => void {
    return this.#notifier.add(listener);
  }

  latenciesSince(cursor: number): { readonly latenciesMs: number[]; readonly cursor: number; readonly skipped: number } {
    const { latenciesMs, recorded, skipped } = this.#window.latenciesSince(cursor);
    return { latenciesMs, cursor: recorded, skipped };
  }

  stats(): BreakerStats {
    const w = this.#window;
    // The fields are enumerable; the extras are readable but non-enumerable, so that equality on
    // the documented shape holds.
    return withHidden(
      {
        state: this.#state,
        p99Ms: w.p99Ms(),
        samples: w.size,
        errorRate: w.errorRate(),
        consecutiveFailures: w.consecutiveFailures,
        attempt: this.#attempt,
        nextAttemptAt: this.#nextAttemptAt,
        counts: this.#tally.counts(),
      },
      {
        name: this.name,
        inFlight: this.#inFlight.outstanding + this.#probes.inFlight,
        latencyThresholdMs: this.#options.latencyThresholdMs,
      },
    );
  }

  // ---------------------------------------------------------------- manual control, fleet, persistence

  forceOpen(control: ManualControl = UNSPECIFIED_CONTROL): void {
    this.#send({ type: 'FORCE_OPEN', at: this.#now(), ...checkControl(control, 'forceOpen') });
  }

  forceClose(control: ManualControl = UNSPECIFIED_CONTROL): void {
    this.#send({ type: 'FORCE_CLOSE', at: this.#now(), ...checkControl(control, 'forceClose') });
  }

  disable(control: ManualControl = UNSPECIFIED_CONTROL): void {
    this.#send({ type: 'DISABLE', at: this.#now(), ...checkControl(control, 'disable') });
  }

  reset(control: ManualControl = UNSPECIFIED_CONTROL): void {
    this.#send({ type: 'RESET', at: this.#now(), ...checkControl(control, 'reset') });
  }

  setRecoveryCoordinator(coordinator: RecoveryCoordinator | undefined): void {
    this.#coordinator = coordinator;
  }

  applyFleetState(update: FleetUpdate): void {
    const at = this.#now();
    if (update.to === 'open') this.#send({ type: 'FLEET_OPEN', at, until: update.until, instance: update.instance, cause: update.cause });
    else this.#send({ type: 'FLEET_CLOSED', at, instance: update.instance });
  }

  snapshot(): BreakerSnapshot {
    return takeSnapshot(this.name, this.#now(), this.#actor.getPersistedSnapshot(), this.#window);
  }

  dispose(): void {
    if (this.#mode === DISPOSED) return;
    this.#mode = DISPOSED;
    this.#state = 'open'; // it refuses every call from now on
    this.#reason = { trigger: 'disposed' };
    this.#nextAttemptAt = null;
    this.#actor.stop();
    this.#notifier.complete();
    this.#samples.complete();
    this.#coordinator = undefined;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}

/** A caller's bug, not the node's: reported as a TypeError and never counted as a call. */
function notAnOperation(method: string, operation: unknown): TypeError {
  return new TypeError(`${method} expects the operation as a function, got ${operation === null ? 'null' : typeof operation}`);
}
