import { createCircuitBreaker, type CircuitBreaker, type CircuitBreakerOptions, type StateChange } from '../../src/index.js';
import { captureLogger } from '../support/captureLogger.js';
import { CountingClock } from '../support/CountingClock.js';

/**
 * A breaker wired for fault tests: a counting clock, a recording logger, an inspector that sees every
 * actor snapshot (to catch XState's error status), the state changes, and a call wrapper that counts
 * submissions and how each call ended.
 */
export function faultHarness(options: CircuitBreakerOptions = {}) {
  const clock = new CountingClock();
  const logger = captureLogger();
  const logs = logger.entries;
  const machineStatuses = new Set<string>();
  const changes: StateChange[] = [];
  const breaker: CircuitBreaker = createCircuitBreaker({
    name: 'venue',
    clock,
    random: () => 0.5,
    logger,
    inspect: (event: unknown) => {
      // Only the breaker's own machine (its snapshots have a `value`); an invoked health check's promise
      // actor is allowed to end in error: that is how a rejecting check reports.
      const e = event as { type: string; snapshot?: { status?: string; value?: unknown } };
      if (e.type === '@xstate.snapshot' && e.snapshot?.value !== undefined && e.snapshot.status !== undefined) machineStatuses.add(e.snapshot.status);
    },
    ...options,
  });
  breaker.onStateChange((c) => changes.push(c));
  let submitted = 0;
  const outcomes = { resolved: 0, rejected: 0, pending: 0 };

  /** Submits a call through `execute`; counts how it ends. */
  const call = <T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>): Promise<T> => {
    submitted++;
    outcomes.pending++;
    const p = breaker.execute(operation);
    p.then(
      () => {
        outcomes.pending--;
        outcomes.resolved++;
      },
      () => {
        outcomes.pending--;
        outcomes.rejected++;
      },
    );
    return p;
  };

  /** Submits a call through `tryExecute`; a refusal resolves `{ ok: false }`. */
  const tryCall = <T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>) => {
    submitted++;
    return breaker.tryExecute(operation);
  };

  /** What `call(op)` settled with: `{ value }` or `{ error }`. */
  const settle = async <T>(operation: (signal?: AbortSignal) => T | PromiseLike<T>): Promise<{ value?: T; error?: unknown; threw: boolean }> => {
    try {
      return { value: await call(operation), threw: false };
    } catch (error) {
      return { error, threw: true };
    }
  };

  /** The invariants every fault must keep. */
  const invariants = (): void => {
    const failures: string[] = [];
    if (machineStatuses.has('error')) failures.push('the actor entered XState’s error status');
    const failed = logs.find((l) => /machine failed/.test(l.message ?? ''));
    if (failed !== undefined) failures.push(`logged: ${failed.message}`);
    const c = breaker.stats().counts;
    const accounted = c.succeeded + c.failed + c.rejected + c.aborted;
    if (accounted + outcomes.pending !== submitted) {
      failures.push(`counts: ${accounted} accounted + ${outcomes.pending} pending ≠ ${submitted} submitted (${JSON.stringify({ ...c, aborted: c.aborted })})`);
    }
    if (failures.length > 0) throw new Error(failures.join('\n'));
  };

  /** Disposes and checks that no timer is left pending. */
  const disposeAndCheck = (): void => {
    invariants();
    breaker.dispose();
    if (clock.pending !== 0) throw new Error(`${clock.pending} timer(s) pending after dispose`);
  };

  return { breaker, clock, logs, changes, machineStatuses, call, tryCall, settle, invariants, disposeAndCheck, outcomes, get submitted() { return submitted; } };
}

export const rejectWith = (error: unknown) => (): Promise<never> => Promise.reject(error);
