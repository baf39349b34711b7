import { map, Subject, type Observable } from 'rxjs';
import type { Logger } from '../Logger.js';
import type { LatencyWindow } from '../window/LatencyWindow.js';
import type { LatencySample } from './CircuitBreaker.js';
import { containedObservable } from './containedObservable.js';

/**
 * Completed calls' latency samples flowing through RxJS into the rolling window. On the hot path a sample
 * travels as one number — the latency in ms, or −1 − latency for a failed call (latencies are never
 * negative) — so pushing one allocates nothing; `samples$` turns them into objects only for subscribers.
 *
 * @example
 * ```ts
 * const stream = new SampleStream(window, clock.now, logger, 'venue');
 * stream.push(12, false);
 * window.size; // 1
 * ```
 */
export class SampleStream {
  readonly samples$: Observable<LatencySample>;
  readonly #subject = new Subject<number>();

  constructor(window: LatencyWindow, now: () => number, logger: Logger, breaker: string) {
    this.#subject.subscribe((encoded) => (encoded < 0 ? window.record(-1 - encoded, true) : window.record(encoded, false)));
    this.samples$ = containedObservable(
      this.#subject.pipe(map((encoded): LatencySample => (encoded < 0 ? { latencyMs: -1 - encoded, failed: true, at: now() } : { latencyMs: encoded, failed: false, at: now() }))),
      logger,
      breaker,
      'samples$',
    );
  }

  /** One completed call. */
  push(latencyMs: number, failed: boolean): void {
    this.#subject.next(failed ? -1 - latencyMs : latencyMs);
  }

  /** Completes `samples$`. */
  complete(): void {
    this.#subject.complete();
  }
}
