import { Observable, Subscriber, type Observer, type Subscription } from 'rxjs';
import { safeLog, type Logger } from '../Logger.js';

/**
 * Wraps `source` so that a subscriber callback that throws is reported to the logger instead of crashing
 * the process (RxJS would rethrow it from a timer as an uncaught exception). Every listener error is
 * contained; the breaker and the other subscribers go on.
 *
 * Subscribers placed after operators (`pipe`) follow RxJS's own error rules.
 *
 * @example
 * ```ts
 * const changes$ = containedObservable(subject, logger, 'venue', 'stateChanges$');
 * changes$.subscribe(() => { throw new Error('bug in a listener'); }); // logged, nothing else
 * ```
 */
export function containedObservable<T>(source: Observable<T>, logger: Logger, breaker: string, name: string): Observable<T> {
  return new ContainedObservable(source, (error) =>
    safeLog(logger, 'error', { breaker, err: error }, `a ${name} subscriber threw; it was ignored`),
  );
}

class ContainedObservable<T> extends Observable<T> {
  constructor(
    private readonly inner: Observable<T>,
    private readonly report: (error: unknown) => void,
  ) {
    super((subscriber) => inner.subscribe(subscriber));
  }

  override subscribe(observer?: Partial<Observer<T>> | ((value: T) => void) | null): Subscription {
    // Operators subscribe with their own Subscriber: pass those through untouched.
    if (observer === undefined || observer === null || observer instanceof Subscriber) return super.subscribe(observer ?? undefined);
    if (typeof observer === 'function') return super.subscribe(this.#guard(observer));
    const safe: Partial<Observer<T>> = {};
    if (observer.next) safe.next = this.#guard(observer.next.bind(observer));
    if (observer.error) safe.error = this.#guard(observer.error.bind(observer));
    if (observer.complete) safe.complete = this.#guard(observer.complete.bind(observer));
    return super.subscribe(safe);
  }

  #guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      try {
        fn(...args);
      } catch (error) {
        this.report(error);
      }
    };
  }
}
