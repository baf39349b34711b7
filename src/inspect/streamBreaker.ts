import type { Subscription } from 'rxjs';
import type { CircuitBreaker } from '../breaker/CircuitBreaker.js';
import { realClock, type Clock } from '../Clock.js';
import { DEFAULTS } from '../config/resolveOptions.js';
import type { InspectorMessage } from './InspectorMessage.js';
import { toJsonSafe } from './toJsonSafe.js';

/** Options of {@link streamBreaker} (and of `InspectorServer.attach`). */
export interface StreamBreakerOptions {
  /**
   * The latency drawn as the limit on the P99 chart. Defaults to the breaker's own `latencyThresholdMs`
   * (read from `stats()`), or 200 when the breaker does not report one.
   */
  readonly latencyThresholdMs?: number;
  /** At most one stats message per this many ms while calls complete. Defaults to 100. */
  readonly statsIntervalMs?: number;
  /** Timers for the throttle. Defaults to the real clock, whose timers never keep the process alive. */
  readonly clock?: Clock;
}

/**
 * Streams a breaker to an inspector: every transition with its reason at once, and its stats (state, exact
 * P99, samples, error rate, counts) at most every `statsIntervalMs` while calls complete, plus once at the
 * start and after each transition. Stops by itself when the breaker is disposed; returns the function that
 * stops it earlier. A `send` that throws is ignored.
 *
 * @example
 * ```ts
 * const stop = streamBreaker(breaker, (m) => socket.send(JSON.stringify(m)), { latencyThresholdMs: 150 });
 * stop();
 * ```
 */
export function streamBreaker(breaker: CircuitBreaker, send: (message: InspectorMessage) => void, options: StreamBreakerOptions = {}): () => void {
  const latencyThresholdMs = options.latencyThresholdMs ?? ownThreshold(breaker) ?? DEFAULTS.latencyThresholdMs;
  const intervalMs = options.statsIntervalMs ?? 100;
  const clock = options.clock ?? realClock;
  let pending: unknown;
  let stopped = false;
  let changes: Subscription | undefined;
  let samples: Subscription | undefined;

  const deliver = (message: InspectorMessage): void => {
    try {
      send(message);
    } catch {
      // an inspector must never hurt the breaker it watches
    }
  };
  const sendStats = (): void => {
    if (pending !== undefined) clock.clearTimeout(pending);
    pending = undefined;
    if (stopped) return;
    deliver({ type: 'p99-breaker.stats', breaker: breaker.name, latencyThresholdMs, stats: breaker.stats() });
  };
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (pending !== undefined) clock.clearTimeout(pending);
    pending = undefined;
    changes?.unsubscribe();
    samples?.unsubscribe();
  };

  changes = breaker.stateChanges$.subscribe({
    next: (change) => {
      // `breaker` is non-enumerable on a StateChange, so a JSON copy would drop it: the viewer needs it.
      deliver({ type: 'p99-breaker.stateChange', change: { ...(toJsonSafe(change) as typeof change), breaker: change.breaker } });
      sendStats();
    },
    complete: () => {
      sendStats();
      stop();
    },
  });
  if (stopped) {
    changes.unsubscribe(); // an already-disposed breaker completed at once: nothing to stream
    return stop;
  }
  samples = breaker.samples$.subscribe(() => {
    if (pending === undefined && !stopped) pending = clock.setTimeout(sendStats, intervalMs);
  });
  sendStats();
  return stop;
}

/** The breaker's configured threshold, a non-enumerable field of its stats (absent from older breakers). */
function ownThreshold(breaker: CircuitBreaker): number | undefined {
  try {
    const value = (breaker.stats() as { latencyThresholdMs?: unknown }).latencyThresholdMs;
    return typeof value === 'number' && value >= 0 ? value : undefined;
  } catch {
    return undefined;
  }
}
