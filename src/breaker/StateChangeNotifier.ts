import { Subject, type Observable } from 'rxjs';
import { safeLog, type Logger } from '../Logger.js';
import { containedObservable } from './containedObservable.js';
import type { StateChange } from './StateChange.js';

/**
 * Tells the world about a breaker's transitions: one structured log line each (warn on open, info
 * otherwise), the `onStateChange` listeners (a listener that throws is logged and ignored; listeners may
 * unsubscribe or subscribe during notification) and the `stateChanges$` observable.
 *
 * @example
 * ```ts
 * const notifier = new StateChangeNotifier('venue', logger);
 * const stop = notifier.add((change) => console.log(change.to));
 * notifier.notify(change);
 * ```
 */
export class StateChangeNotifier {
  readonly changes$: Observable<StateChange>;
  readonly #subject = new Subject<StateChange>();
  readonly #listeners = new Set<(change: StateChange) => void>();

  constructor(
    private readonly breaker: string,
    private readonly logger: Logger,
  ) {
    this.changes$ = containedObservable(this.#subject, logger, breaker, 'stateChanges$');
  }

  /** Adds a listener; returns its unsubscribe function. */
  add(listener: (change: StateChange) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError(`onStateChange expects a function, got ${typeof listener}`);
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Logs the change, then tells every listener and subscriber. */
  notify(change: StateChange): void {
    const reason = change.reason as { valueMs?: number; thresholdMs?: number };
    const fields = {
      event: 'stateChange',
      breaker: this.breaker,
      from: change.from,
      to: change.to,
      trigger: change.reason.trigger,
      valueMs: reason.valueMs ?? null,
      thresholdMs: reason.thresholdMs ?? null,
      attempt: change.attempt,
      nextAttemptAt: change.nextAttemptAt,
      at: change.at,
      reason: change.reason,
    };
    safeLog(this.logger, change.to === 'open' ? 'warn' : 'info', fields, `circuit ${this.breaker}: ${change.from} → ${change.to} (${change.reason.trigger})`);
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch (error) {
        safeLog(this.logger, 'error', { breaker: this.breaker, err: error }, 'a state change listener threw; it was ignored');
      }
    }
    this.#subject.next(change);
  }

  /** Drops every listener and completes `changes$`. */
  complete(): void {
    this.#listeners.clear();
    this.#subject.complete();
  }
}
