/**
 * A breaker's persisted state: versioned, JSON-serializable, restorable with the `restore` option.
 *
 * @example
 * ```ts
 * const saved = JSON.stringify(breaker.snapshot());
 * const again = createCircuitBreaker({ name: 'venue', restore: JSON.parse(saved) });
 * ```
 */
export interface BreakerSnapshot {
  readonly format: 'p99-breaker/snapshot';
  readonly version: 1;
  readonly name: string;
  /** Clock time the snapshot was taken. */
  readonly takenAt: number;
  /** XState's persisted snapshot of the machine (its context keeps the open deadline). */
  readonly machine: unknown;
  /** The window's samples, oldest first, and the failure streak. */
  readonly window: {
    readonly latenciesMs: readonly number[];
    readonly failed: readonly boolean[];
    readonly consecutiveFailures: number;
  };
}
