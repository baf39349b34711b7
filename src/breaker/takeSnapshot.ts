import type { LatencyWindow } from '../window/LatencyWindow.js';
import type { BreakerSnapshot } from './BreakerSnapshot.js';

/**
 * Builds a breaker's versioned, JSON-serializable snapshot from XState's persisted snapshot and the
 * window's samples. A disposed breaker's actor is stopped; its state is still the one to resume from, so
 * the snapshot is marked active.
 *
 * @example
 * ```ts
 * const snapshot = takeSnapshot('venue', clock.now(), actor.getPersistedSnapshot(), window);
 * ```
 */
export function takeSnapshot(name: string, takenAt: number, persisted: unknown, window: LatencyWindow): BreakerSnapshot {
  const samples = window.samples();
  return {
    format: 'p99-breaker/snapshot',
    version: 1,
    name,
    takenAt,
    machine: { ...(JSON.parse(JSON.stringify(persisted)) as object), status: 'active' },
    window: {
      latenciesMs: samples.map((s) => s.latencyMs),
      failed: samples.map((s) => s.failed),
      consecutiveFailures: window.consecutiveFailures,
    },
  };
}
